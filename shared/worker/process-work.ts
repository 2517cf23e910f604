import { DependencyError } from '../errors';
import type { PaymentWork } from '../payments/payment';
import { captureIfDue } from './capture-reservation';
import { confirm } from './confirm-work';
import { deliver } from './deliver-event';
import { readPayment } from './gateway-state';
import { buildMerchantEvent } from './merchant-event';
import type { WorkRecord } from './work-record';
import type { WorkerDeps } from './worker-deps';

export type { WorkerDeps };

/**
 * Does the slow work of one payment state change, each step at most once however often the message
 * arrives (the work record remembers what is done):
 *
 * 1. confirm: ask the gateway (`payments`) for each transaction the callback claimed something of
 *    and record its answer: only what the gateway confirms counts. A claim it does not back is
 *    flagged and not handed on; a payment for another amount than requested is flagged.
 * 2. capture: when auto-capture is on, a confirmed, uncaptured reservation is captured (after a fresh
 *    look, so a capture whose answer was lost is never repeated).
 * 3. hand off: the merchant event, built from the confirmed state when it changed (or flags a
 *    payment for a person), is built once, stored, and POSTed signed until the merchant
 *    answers 2xx; every attempt is recorded. Failing after its retries, the run throws and the
 *    queue delivers the message again later.
 */
export async function processWork(deps: WorkerDeps, work: PaymentWork): Promise<WorkRecord> {
  const now = () => deps.clock.now().toISOString();
  let record = (await deps.store.getWorkRecord(work.shopOrderId, work.workId)) ?? newRecord(work, now());
  if (record.state === 'done') {
    deps.log.info('work already done', { workId: work.workId });
    return record;
  }
  // The worker has it now: the sweeper need not queue it again.
  if (record.revision === 0) await deps.store.markWorkQueued(work);
  const save = async (changes: Partial<WorkRecord>) => {
    const next = { ...record, ...changes, revision: record.revision + 1, updatedAt: now() };
    const expected = record.revision === 0 ? undefined : record.revision;
    const saved = await deps.store.saveWorkRecord(next, expected);
    // The same work running twice at once: let the queue hand this copy back later.
    if (saved === 'conflict')
      throw new DependencyError('payments-table', `Work ${work.workId} is being done elsewhere.`);
    record = next;
  };

  const confirmation = record.confirmation ?? (await confirm(deps, work, now()));
  if (record.confirmation === undefined) await save({ confirmation });
  // Capture is decided before the event is built, never after: work reopened to resend its event
  // (npm run payments -- resend) must not take money because AUTO_CAPTURE was switched on since.
  // Older records (before the confirmed status was kept) confirmed what the work claimed.
  const confirmedStatus = confirmation.status ?? (confirmation.confirmed ? work.status : undefined);
  if (
    confirmation.confirmed &&
    deps.autoCapture &&
    record.capture === undefined &&
    record.event === undefined
  ) {
    const capture = await captureIfDue(deps, work, now, confirmedStatus);
    if (capture) await save({ capture });
  }
  if (confirmedStatus !== undefined && record.event === undefined) {
    const payment = await readPayment(deps, work.shopOrderId);
    const event = buildMerchantEvent(work, payment, confirmedStatus);
    if (event) await save({ event });
  }
  if (record.event && record.deliveredAt === undefined) {
    if (deps.notifier === undefined) {
      deps.log.warn('no merchant endpoint configured; event recorded, not sent', {
        eventId: record.event.eventId,
      });
    } else {
      const { delivered, attempts } = await deliver(deps, deps.notifier, record.event, now);
      const lastError = attempts.at(-1)?.error ?? `HTTP ${attempts.at(-1)?.status}`;
      await save({
        deliveries: [...record.deliveries, ...attempts],
        ...(delivered ? { deliveredAt: now() } : { lastError }),
      });
      if (!delivered)
        throw new Error(`The merchant endpoint did not accept ${record.event.type}: ${lastError}.`);
    }
  }
  await save({ state: 'done' });
  deps.log.info('work done', {
    workId: work.workId,
    confirmed: confirmation.confirmed,
    capture: record.capture?.outcome,
    event: record.event?.type,
  });
  return record;
}

function newRecord(work: PaymentWork, now: string): WorkRecord {
  return {
    workId: work.workId,
    shopOrderId: work.shopOrderId,
    version: work.version,
    state: 'in-progress',
    revision: 0,
    deliveries: [],
    createdAt: now,
    updatedAt: now,
  };
}
