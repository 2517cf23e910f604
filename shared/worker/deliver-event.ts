import { WebhookDeliveryError } from '../errors';
import { describe } from '../payments/save-decision';
import type { MerchantEvent, MerchantNotifier } from '../ports';
import type { DeliveryAttempt } from './work-record';
import type { WorkerDeps } from './worker-deps';

/** Step 3: POSTs the event, retrying with backoff; every attempt is returned for the record. */
export async function deliver(
  deps: Pick<WorkerDeps, 'deliveryBackoffMs' | 'sleep' | 'metrics'>,
  notifier: MerchantNotifier,
  event: MerchantEvent,
  now: () => string,
): Promise<{ delivered: boolean; attempts: DeliveryAttempt[] }> {
  const attempts: DeliveryAttempt[] = [];
  for (let i = 0; i <= deps.deliveryBackoffMs.length; i++) {
    if (i > 0) await deps.sleep(deps.deliveryBackoffMs[i - 1] ?? 0);
    const at = now();
    const started = Date.now();
    try {
      const status = await notifier.deliver(event);
      attempts.push({ at, status, durationMs: Date.now() - started });
      const accepted = status >= 200 && status < 300;
      deps.metrics?.deliveryAttempt(accepted);
      if (accepted) return { delivered: true, attempts };
    } catch (error) {
      attempts.push({ at, error: failureCause(error), durationMs: Date.now() - started });
      deps.metrics?.deliveryAttempt(false);
    }
  }
  return { delivered: false, attempts };
}

/** What an attempt without an answer records: the notifier's cause as is, anything else with its name. */
function failureCause(error: unknown): string {
  return error instanceof WebhookDeliveryError ? error.message : describe(error);
}
