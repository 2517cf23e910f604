import type { GatewayTransaction } from '../altapay/api-response';
import { findCurrency } from '../altapay/currency';
import { DependencyError, tableCall } from '../errors';
import { isPositiveAmount } from '../payments/money';
import {
  type Payment,
  type PaymentFlag,
  type PaymentWork,
  statusOf,
  type TransactionState,
} from '../payments/payment';
import { describe, queueWork, saveDecision } from '../payments/save-decision';
import { holdsMoney } from '../payments/status-properties';
import { aggregateStatus, phaseRank, transactionPhase } from '../payments/transaction-phase';
import type {
  Clock,
  Log,
  MerchantEvent,
  MerchantNotifier,
  PaymentGateway,
  PaymentStore,
  WorkerMetrics,
  WorkQueue,
} from '../ports';
import { buildMerchantEvent } from './merchant-event';
import type { WorkRecord } from './work-record';

export interface WorkerDeps {
  readonly store: PaymentStore;
  readonly gateway: PaymentGateway;
  readonly queue: WorkQueue;
  /** Undefined when no merchant endpoint is configured: events are built and recorded, not sent. */
  readonly notifier?: MerchantNotifier;
  readonly clock: Clock;
  readonly log: Log;
  /** Capture reservations as soon as they are confirmed (the merchant's setting). */
  readonly autoCapture: boolean;
  /** Pauses between delivery attempts within one run; the queue's redelivery adds longer ones. */
  readonly deliveryBackoffMs: readonly number[];
  readonly sleep: (ms: number) => Promise<void>;
  readonly metrics?: WorkerMetrics;
}

/** Authorisations that are agreements, not charges: never captured. */
const agreements = new Set(['subscription', 'subscriptionAndReserve', 'subscriptionAndCharge', 'verifyCard']);

/**
 * Does the slow work of one payment state change, each step at most once however often the message
 * arrives (the work record remembers what is done):
 *
 * 1. confirm: ask the gateway (`payments`) for each changed transaction and record its answer; the
 *    gateway's word outranks a callback's. A claim the gateway does not back is flagged and not
 *    handed on.
 * 2. capture: when auto-capture is on, a confirmed, uncaptured reservation is captured (after a fresh
 *    look, so a capture whose answer was lost is never repeated).
 * 3. hand off: the merchant event is built once, stored, and POSTed signed until the merchant
 *    answers 2xx; every attempt is recorded. Failing after its retries, the run throws and the
 *    queue delivers the message again later.
 */
export async function processWork(deps: WorkerDeps, work: PaymentWork): Promise<WorkRecord> {
  const now = () => deps.clock.now().toISOString();
  let record =
    (await tableCall('read the work record', () =>
      deps.store.getWorkRecord(work.shopOrderId, work.workId),
    )) ?? newRecord(work, now());
  if (record.state === 'done') {
    deps.log.info('work already done', { workId: work.workId });
    return record;
  }
  // The worker has it now: the sweeper need not queue it again.
  if (record.revision === 0) await tableCall('clear the outbox', () => deps.store.markWorkQueued(work));
  const save = async (changes: Partial<WorkRecord>) => {
    const next = { ...record, ...changes, revision: record.revision + 1, updatedAt: now() };
    const expected = record.revision === 0 ? undefined : record.revision;
    const saved = await tableCall('save the work record', () => deps.store.saveWorkRecord(next, expected));
    // The same work running twice at once: let the queue hand this copy back later.
    if (saved === 'conflict')
      throw new DependencyError('payments-table', `Work ${work.workId} is being done elsewhere.`);
    record = next;
  };

  const confirmation = record.confirmation ?? (await confirm(deps, work, now()));
  if (record.confirmation === undefined) await save({ confirmation });
  // Capture is decided before the event is built, never after: work reopened to resend its event
  // (npm run payments -- resend) must not take money because AUTO_CAPTURE was switched on since.
  if (
    confirmation.confirmed &&
    deps.autoCapture &&
    record.capture === undefined &&
    record.event === undefined
  ) {
    const capture = await captureIfDue(deps, work, now);
    if (capture) await save({ capture });
  }
  if (confirmation.confirmed && record.event === undefined) {
    const payment = await readPayment(deps, work.shopOrderId);
    const event = buildMerchantEvent(work, payment);
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

/** Step 1: what the gateway says about each changed transaction, recorded on the payment. */
async function confirm(
  deps: WorkerDeps,
  work: PaymentWork,
  now: string,
): Promise<NonNullable<WorkRecord['confirmation']>> {
  const before = await readPayment(deps, work.shopOrderId);
  if (work.transactionIds.length === 0) {
    const confirmed = !holdsMoney(work.status);
    return { checkedAt: now, confirmed, detail: 'an order-level result without a transaction to confirm' };
  }
  const answers = await Promise.all(work.transactionIds.map((id) => deps.gateway.transactions(id)));
  const known = answers
    .flat()
    .filter((t) => t.shopOrderId === work.shopOrderId)
    .map(withCurrency);
  if (known.length > 0) await recordGatewayState(deps, work, known, now);

  const problems: string[] = [];
  for (const id of work.transactionIds) {
    const claimed = before.transactions[id];
    const gateway = known.find((t) => t.transactionId === id);
    if (gateway === undefined) problems.push(`transaction ${id} is unknown to the gateway`);
    else if (claimed && holdsMoney(claimed.phase) && !backs(gateway, claimed)) {
      problems.push(
        `transaction ${id}: the callback said ${claimed.paymentStatus}, the gateway says ${gateway.transactionStatus}`,
      );
    }
  }
  if (problems.length > 0) {
    const unknown = work.transactionIds.filter((id) => !known.some((t) => t.transactionId === id));
    await markUnconfirmed(deps, work.shopOrderId, unknown, now);
    deps.metrics?.unconfirmed();
    deps.log.error('callback not confirmed by the gateway; not handed on', { workId: work.workId, problems });
    return { checkedAt: now, confirmed: false, detail: problems.join('; ') };
  }
  return {
    checkedAt: now,
    confirmed: true,
    detail: `the gateway confirms ${work.transactionIds.join(', ')}`,
  };
}

/** True when the gateway holds the transaction at least as far along as the callback claimed. */
function backs(gateway: GatewayTransaction, claimed: TransactionState): boolean {
  return phaseRank[transactionPhase(gateway, { callbackType: 'notification' })] >= phaseRank[claimed.phase];
}

/** The gateway's answer goes through the same forward-only rules as a callback; news causes more work. */
async function recordGatewayState(
  deps: WorkerDeps,
  work: PaymentWork,
  transactions: readonly GatewayTransaction[],
  now: string,
): Promise<void> {
  const payment = await readPayment(deps, work.shopOrderId);
  const facts = {
    callbackType: 'notification' as const,
    shopOrderId: work.shopOrderId,
    currency: payment.currency ?? '',
    transactions,
    // The live answer is the truth: it may correct what a (possibly forged) callback claimed.
    source: 'gateway' as const,
  };
  const { work: chained } = await saveDecision(deps, facts, now);
  if (chained) await queueWork(deps, chained);
}

/** Step 2: captures the changed reservation when it is due. */
async function captureIfDue(
  deps: WorkerDeps,
  work: PaymentWork,
  now: () => string,
): Promise<WorkRecord['capture']> {
  if (work.status !== 'reserved') return undefined;
  const payment = await readPayment(deps, work.shopOrderId);
  const due = work.transactionIds
    .map((id) => payment.transactions[id])
    .find(
      (t) =>
        t !== undefined &&
        t.phase === 'reserved' &&
        // A second payment for a paid order is to be refunded or released, never captured.
        t.flag === undefined &&
        !agreements.has(t.authType ?? '') &&
        !isPositiveAmount(t.capturedAmount),
    );
  if (due === undefined) return undefined;
  const base = { at: now(), transactionId: due.transactionId, amount: due.reservedAmount };
  // A fresh look: if an earlier run's capture went through but its answer was lost, do not capture again.
  const [current] = await deps.gateway.transactions(due.transactionId);
  if (current && isPositiveAmount(current.capturedAmount)) {
    await recordGatewayState(deps, work, [withCurrency(current)], now());
    return { ...base, outcome: 'already-captured' };
  }
  const result = await deps.gateway.captureReservation(due.transactionId, due.reservedAmount);
  if (result.result !== 'Success') {
    const detail = result.merchantErrorMessage ?? `Result ${result.result || 'missing'}`;
    deps.log.error('capture refused by the gateway', { workId: work.workId, detail });
    return { ...base, outcome: 'refused', detail };
  }
  await recordGatewayState(deps, work, result.transactions.map(withCurrency), now());
  return { ...base, outcome: 'captured' };
}

/** Step 3: POSTs the event, retrying with backoff; every attempt is returned for the record. */
async function deliver(
  deps: WorkerDeps,
  notifier: MerchantNotifier,
  event: MerchantEvent,
  now: () => string,
) {
  const attempts: WorkRecord['deliveries'][number][] = [];
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
      attempts.push({ at, error: describe(error), durationMs: Date.now() - started });
      deps.metrics?.deliveryAttempt(false);
    }
  }
  return { delivered: false, attempts };
}

async function readPayment(deps: WorkerDeps, shopOrderId: string): Promise<Payment> {
  const payment = await tableCall('read the payment', () => deps.store.getPayment(shopOrderId));
  // Work is only created with its payment; a missing one means the table was restored or edited.
  if (payment === undefined) throw new Error(`Payment ${shopOrderId} does not exist.`);
  return payment;
}

/**
 * Flags the payment, and marks the transactions the gateway does not know as unconfirmed so they no
 * longer count towards its status (optimistic lock, retried). No work: the flag is for people.
 */
async function markUnconfirmed(
  deps: WorkerDeps,
  shopOrderId: string,
  unknownIds: readonly string[],
  now: string,
): Promise<void> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const payment = await readPayment(deps, shopOrderId);
    const transactions = { ...payment.transactions };
    for (const id of unknownIds) {
      const t = transactions[id];
      if (t) transactions[id] = { ...t, flag: 'unconfirmed' };
    }
    const flags: PaymentFlag[] = payment.flags.includes('unconfirmed-callback')
      ? [...payment.flags]
      : [...payment.flags, 'unconfirmed-callback'];
    const next: Payment = {
      ...payment,
      transactions,
      status: statusOf(transactions, payment.orderPhase, aggregateStatus),
      flags,
      version: payment.version + 1,
      updatedAt: now,
    };
    if (
      (await tableCall('flag the payment', () => deps.store.savePayment(next, payment.version))) === 'saved'
    )
      return;
  }
  throw new DependencyError('payments-table', `Payment ${shopOrderId} kept changing under us; retry.`);
}

function withCurrency(t: GatewayTransaction): GatewayTransaction {
  return { ...t, currencyAlpha: t.currencyAlpha ?? findCurrency(t.currencyNumeric)?.alpha };
}
