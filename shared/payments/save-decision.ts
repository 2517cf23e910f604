import type { WorkOperation } from '../operations/operation-kind';
import type { Log, PaymentStore, WorkQueue } from '../ports';
import { applyCallback, type CallbackFacts, type Decision } from './apply-callback';
import type { CallbackLogEntry } from './callback-log';
import { claimedStatusOf, type PaymentStatus, type PaymentWork } from './payment';
import { updatePayment } from './update-payment';

/**
 * Reads the payment, applies the facts and saves the result with an optimistic lock (see
 * updatePayment), deciding again when another writer got there first. A change that causes work
 * records that work in the payment's outbox in the same write, and `logEntryOf` (a callback) the
 * callback in its log. Used for callbacks and for the gateway's confirmations. A merchant's
 * `operation` always causes work, carrying it, so that it is told as one event.
 */
export function saveDecision(
  deps: { readonly store: PaymentStore },
  facts: CallbackFacts,
  now: string,
  logEntryOf?: (decision: Decision) => CallbackLogEntry,
  options: {
    /** False: the change is saved without work of its own (the gateway's answer to work that asked). */
    readonly createsWork?: boolean;
    /** The merchant's operation (capture, refund, release, charge) this change records: it always makes work. */
    readonly operation?: WorkOperation;
  } = {},
): Promise<{ decision: Decision; work?: PaymentWork }> {
  return updatePayment(deps.store, facts.shopOrderId, (current) => {
    const decision = applyCallback(current, facts, now);
    if (decision.outcome !== 'changed') return { write: false, result: { decision } };
    const work =
      (options.createsWork !== false && decision.causesWork) || options.operation
        ? {
            ...workFor(decision, facts, current?.status, now),
            ...(options.operation ? { operation: options.operation } : {}),
          }
        : undefined;
    const logEntry = logEntryOf?.(decision);
    return {
      write: true,
      next: decision.payment,
      changes: { ...(work ? { work } : {}), ...(logEntry ? { logEntry } : {}) },
      result: work ? { decision, work } : { decision },
    };
  });
}

/**
 * The work of a state change. Its id is derived from the order and version, so the outbox entry and
 * the queued message are the same work however often either is written.
 */
function workFor(
  decision: Decision,
  facts: CallbackFacts,
  previousStatus: PaymentStatus | undefined,
  createdAt: string,
): PaymentWork {
  const { payment } = decision;
  return {
    ...(previousStatus === undefined ? {} : { previousStatus }),
    workId: `${payment.shopOrderId}#${payment.version}`,
    shopOrderId: payment.shopOrderId,
    version: payment.version,
    callbackType: facts.callbackType,
    // What the callback claims; previousStatus is the confirmed status it arrived on.
    status: claimedStatusOf(payment),
    transactionIds: decision.changedTransactions.map((t) => t.transactionId),
    createdAt,
  };
}

/**
 * Puts the work on the queue. The outbox entry stays until the worker picks the work up (it clears it
 * then), so this is one round trip on the callback's path. A failure here fails nothing: the state
 * change and its pending work are already durable together, and the sweeper queues it later.
 */
export async function queueWork(
  deps: { readonly queue: WorkQueue; readonly log: Log },
  work: PaymentWork,
): Promise<void> {
  try {
    await deps.queue.enqueue(work);
  } catch (error) {
    deps.log.error('work queue unavailable; work stays pending in the outbox', {
      workId: work.workId,
      error: describe(error),
    });
  }
}

export function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
