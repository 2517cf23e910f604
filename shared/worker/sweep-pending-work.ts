import { describe } from '../payments/save-decision';
import type { Clock, Log, PaymentStore, WorkQueue } from '../ports';

export interface SweepDeps {
  readonly store: PaymentStore;
  readonly queue: WorkQueue;
  readonly clock: Clock;
  readonly log: Log;
}

export interface SweepOptions {
  /** Work younger than this is left alone: its callback may still be queuing it. */
  readonly minAgeSeconds: number;
  /** At most this much work per run; the next run takes the rest. */
  readonly limit: number;
}

/**
 * Queues work that was recorded with its state change but that no worker has picked up (the queue
 * was down when the callback was answered, or the Lambda died in between). Queuing twice is harmless:
 * the worker deduplicates on the work id.
 */
export async function sweepPendingWork(
  deps: SweepDeps,
  options: SweepOptions,
): Promise<{ found: number; queued: number; failed: number }> {
  const before = new Date(deps.clock.now().getTime() - options.minAgeSeconds * 1000).toISOString();
  const pending = await deps.store.listPendingWork(before, options.limit);
  let queued = 0;
  let failed = 0;
  for (const work of pending) {
    try {
      // The worker clears the outbox entry when it picks the work up.
      await deps.queue.enqueue(work);
      queued++;
    } catch (error) {
      failed++;
      deps.log.error('pending work could not be queued; the next sweep retries', {
        workId: work.workId,
        error: describe(error),
      });
    }
  }
  if (pending.length > 0) deps.log.info('pending work swept', { found: pending.length, queued, failed });
  return { found: pending.length, queued, failed };
}
