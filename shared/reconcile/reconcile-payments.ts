import type { GatewayTransaction } from '../altapay/api-response';
import { type Decision, gatewayAnswer } from '../payments/apply-callback';
import type { CallbackLogEntry } from '../payments/callback-log';
import { type Payment, paymentStatuses } from '../payments/payment';
import { describe, queueWork, saveDecision } from '../payments/save-decision';
import { mayStartNewPayment } from '../payments/status-properties';
import type { Clock, Log, PaymentGateway, PaymentStore, WorkQueue } from '../ports';
import { withCurrency } from '../worker/gateway-state';

export interface ReconcileDeps {
  readonly store: PaymentStore;
  readonly queue: WorkQueue;
  readonly gateway: PaymentGateway;
  readonly clock: Clock;
  /** With `debug`: an order the gateway knows nothing of is routine (an abandoned checkout). */
  readonly log: Log & { debug(message: string, context: Record<string, unknown>): void };
  readonly newId: () => string;
}

export interface ReconcileOptions {
  /** A payment request unanswered for this long is asked about (RECONCILE_AFTER_MINUTES). */
  readonly afterMinutes: number;
  /**
   * How long a payment request lives (PAYMENT_REQUEST_EXPIRY_MINUTES): a request is asked about until
   * this long after it became due, then given up as abandoned.
   */
  readonly requestExpiryMinutes: number;
  /** At most this many orders per run; the next run takes the rest. */
  readonly limit: number;
}

/** An `open` payment unchanged for a day is asked about (its notification may be lost)... */
export const openAfterMinutes = 24 * 60;
/** ...for 30 days, after which only an operator asks (`npm run payments -- reconcile`). */
export const openLookBackMinutes = 30 * 24 * 60;

/**
 * changed: the gateway's word changed our payment (recorded, with its work and log entry);
 * unchanged: the gateway agrees with what we hold; unknown: the gateway holds nothing for the order;
 * failed: the gateway or the table could not be asked (the next run asks again).
 */
export type ReconcileOutcome = 'changed' | 'unchanged' | 'unknown' | 'failed';

export interface ReconcileSummary {
  readonly asked: number;
  readonly changed: number;
  readonly unchanged: number;
  readonly unknown: number;
  readonly failed: number;
}

/**
 * The reconciler's run: asks the gateway (`payments` by shop order id) about every payment whose
 * latest request got no callback within `afterMinutes` (status created, or failed or cancelled before
 * that request) and every `open` payment unchanged for a day, and
 * records what it says as a callback would be recorded (reconcileOrder). Bounded: at most `limit`
 * orders, unanswered requests first, each group oldest first. One order's failure stops no other.
 */
export async function reconcilePayments(
  deps: ReconcileDeps,
  options: ReconcileOptions,
): Promise<ReconcileSummary> {
  const now = deps.clock.now().getTime();
  const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
  // A new request can follow a failed or cancelled one, so those statuses may await an answer too.
  const requestable = paymentStatuses.filter(mayStartNewPayment);
  const due = {
    from: ago(options.afterMinutes + options.requestExpiryMinutes),
    to: ago(options.afterMinutes),
  };
  const unanswered = (
    await Promise.all(
      requestable.map((status) => deps.store.listPaymentsByStatus(status, due, options.limit)),
    )
  )
    .flat()
    .filter(awaitsAnswer)
    .sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : 0))
    .slice(0, options.limit);
  const open = await deps.store.listPaymentsByStatus(
    'open',
    { from: ago(openLookBackMinutes), to: ago(openAfterMinutes) },
    options.limit - unanswered.length,
  );
  const counts = { asked: 0, changed: 0, unchanged: 0, unknown: 0, failed: 0 };
  for (const payment of [...unanswered, ...open]) {
    counts.asked++;
    counts[(await reconcileOrder(deps, payment.shopOrderId)).outcome]++;
  }
  if (counts.changed > 0 || counts.failed > 0) deps.log.info('payments reconciled', counts);
  else if (counts.asked > 0) deps.log.debug('payments reconciled', counts);
  return counts;
}

/** A request that no callback has answered since it was made. */
function awaitsAnswer(payment: Payment): boolean {
  const { request, lastCallbackAt } = payment;
  return request !== undefined && (lastCallbackAt === undefined || lastCallbackAt < request.createdAt);
}

/**
 * Asks the gateway about one recorded order and records its answer through the decision a callback
 * goes through, marked as the gateway's own word (`source: 'gateway'`): the change, its work and a
 * `reconciled` log entry are saved together, and the work is queued, so the worker confirms it and
 * tells the merchant as for a callback. Never throws: a failure is the outcome `failed`, logged.
 */
export async function reconcileOrder(
  deps: ReconcileDeps,
  shopOrderId: string,
): Promise<{ readonly outcome: ReconcileOutcome; readonly payment?: Payment; readonly error?: string }> {
  try {
    const payment = await deps.store.getPayment(shopOrderId);
    if (payment === undefined) {
      return { outcome: 'failed', error: `no payment is recorded for order ${shopOrderId}` };
    }
    const askedAt = deps.clock.now().toISOString();
    const transactions = (await deps.gateway.transactionsOfOrder(shopOrderId))
      .filter((t) => t.shopOrderId === shopOrderId && t.transactionId !== '')
      .map(withCurrency);
    if (transactions.length === 0) {
      deps.log.debug('the gateway holds nothing for the order; nothing changes', { shopOrderId });
      return { outcome: 'unknown', payment };
    }
    const now = deps.clock.now().toISOString();
    const facts = gatewayAnswer({
      shopOrderId,
      currency: payment.currency ?? payment.request?.currency ?? transactions[0]?.currencyAlpha ?? '',
      transactions,
      askedAt,
    });
    const { decision, work } = await saveDecision(deps, facts, now, (d) =>
      logEntryOf(deps, d, transactions, now),
    );
    if (work) await queueWork(deps, work);
    if (decision.outcome !== 'changed') return { outcome: 'unchanged', payment: decision.payment };
    deps.log.info('payment reconciled with the gateway', {
      shopOrderId,
      transactionIds: transactions.map((t) => t.transactionId),
      statusBefore: payment.status,
      status: decision.payment.status,
      version: decision.payment.version,
    });
    return { outcome: 'changed', payment: decision.payment };
  } catch (error) {
    deps.log.error('could not reconcile the order; the next run asks again', {
      shopOrderId,
      error: describe(error),
    });
    return { outcome: 'failed', error: describe(error) };
  }
}

function logEntryOf(
  deps: ReconcileDeps,
  decision: Decision,
  transactions: readonly GatewayTransaction[],
  at: string,
): CallbackLogEntry {
  return {
    shopOrderId: decision.payment.shopOrderId,
    entryId: deps.newId(),
    callbackType: 'reconciled',
    receivedAt: at,
    outcome: decision.outcome,
    duplicate: false,
    transactionIds: transactions.map((t) => t.transactionId),
    statusAfter: decision.payment.status,
  };
}
