import type { GatewayTransaction } from '../altapay/api-response';
import {
  ConflictError,
  DependencyError,
  GatewayError,
  NotFoundError,
  UnprocessableRequestError,
} from '../errors';
import { gatewayAnswer } from '../payments/apply-callback';
import { addAmounts, compareAmounts, subtractAmounts } from '../payments/money';
import type { Payment } from '../payments/payment';
import { queueWork, saveDecision } from '../payments/save-decision';
import { isSubscriptionCharge, transactionPhase } from '../payments/transaction-phase';
import type { Clock, Log, OperationResult, PaymentGateway, PaymentStore, WorkQueue } from '../ports';
import { withCurrency } from '../worker/gateway-state';
import { decideOperation } from './decide-operation';
import type { OperationKind, WorkOperation } from './operation-kind';
import type { OperationRecord } from './operation-record';
import { fingerprintOf, type OperationBody } from './operation-request';

export interface OperationDeps {
  readonly store: PaymentStore;
  readonly gateway: PaymentGateway;
  readonly queue: WorkQueue;
  readonly log: Log;
  readonly clock: Clock;
}

export interface OperationRequest {
  readonly kind: OperationKind;
  readonly shopOrderId: string;
  readonly idempotencyKey: string;
  readonly body: OperationBody;
  /** The caller's IAM ARN, or `local`. */
  readonly requestedBy: string;
}

/**
 * done: the gateway did it (`replayed` when answered from the record); refused: the gateway said no
 * (its reason in the record); unknown: the answer was lost and the gateway does not show the change
 * yet, so the same key must be tried again.
 */
export type OperationOutcome = {
  readonly outcome: 'done' | 'refused' | 'unknown';
  readonly record: OperationRecord;
  readonly replayed: boolean;
};

/**
 * A key claimed longer ago than this by a run that never finished (its Lambda ended mid-call) is
 * treated as unknown: far above the functions' 20 s timeout, so a live run is never taken over.
 */
const abandonedAfterMs = 120_000;

/**
 * Captures, refunds or releases on the merchant's demand, once per Idempotency-Key: a repeat is
 * answered from the operation record without calling the gateway; a key is claimed (conditional put)
 * before the gateway is called. A lost answer is never followed by a blind second call: the gateway's
 * transaction is looked at first, now and on every retry with the key. The gateway's answer is
 * recorded on the payment as the gateway's word (saveDecision), with the operation on its work, so the
 * worker tells the merchant exactly one event.
 */
export async function runOperation(
  deps: OperationDeps,
  request: OperationRequest,
): Promise<OperationOutcome> {
  const fingerprint = fingerprintOf(request.kind, request.body);
  const existing = await deps.store.getOperation(request.shopOrderId, request.idempotencyKey);
  if (existing) return repeat(deps, existing, fingerprint, request.body);

  const payment = await deps.store.getPayment(request.shopOrderId);
  if (payment === undefined)
    throw new NotFoundError(`No payment is recorded for order ${request.shopOrderId}.`);
  const { transaction, amount } = decideOperation(payment, request.kind, request.body);
  const now = deps.clock.now().toISOString();
  const record: OperationRecord = {
    shopOrderId: request.shopOrderId,
    idempotencyKey: request.idempotencyKey,
    kind: request.kind,
    fingerprint,
    requestedBy: request.requestedBy,
    requestedAt: now,
    transactionId: transaction.transactionId,
    amount,
    ...(request.kind === 'charge' ? { transactionsBefore: Object.keys(payment.transactions) } : {}),
    state: 'in-progress',
    before: {
      reservedAmount: transaction.reservedAmount,
      capturedAmount: transaction.capturedAmount,
      refundedAmount: transaction.refundedAmount,
    },
    revision: 1,
    updatedAt: now,
  };
  if ((await deps.store.saveOperation(record, undefined)) === 'conflict') {
    // Another request with the same key got there first.
    const claimed = await deps.store.getOperation(request.shopOrderId, request.idempotencyKey);
    if (claimed === undefined) throw new DependencyError('payments-table', 'The operation record vanished.');
    return repeat(deps, claimed, fingerprint, request.body);
  }
  deps.log.info('operation claimed', logContext(record));
  return call(deps, record, request.body);
}

/** The same key again: the first answer, or (after a lost answer) a look at the gateway first. */
async function repeat(
  deps: OperationDeps,
  record: OperationRecord,
  fingerprint: string,
  body: OperationBody,
): Promise<OperationOutcome> {
  if (record.fingerprint !== fingerprint) {
    throw new UnprocessableRequestError(
      'idempotency_key_reused',
      `Idempotency-Key ${record.idempotencyKey} was already used for another request on order ${record.shopOrderId} (a ${record.kind} of ${record.amount} at ${record.requestedAt}): send that request unchanged, or use a new key.`,
    );
  }
  if (record.state === 'done') {
    return { outcome: record.result === 'Success' ? 'done' : 'refused', record, replayed: true };
  }
  const now = deps.clock.now();
  const abandoned = now.getTime() - Date.parse(record.updatedAt) > abandonedAfterMs;
  if (record.state === 'in-progress' && !abandoned) throw beingProcessed(record);
  const resumed: OperationRecord = {
    ...record,
    state: 'in-progress',
    revision: record.revision + 1,
    updatedAt: now.toISOString(),
  };
  if ((await deps.store.saveOperation(resumed, record.revision)) === 'conflict') throw beingProcessed(record);
  const seen = await look(deps, resumed);
  if (seen !== undefined && happened(resumed, seen)) {
    return finish(deps, resumed, seen, 'the answer was lost; the gateway shows it happened');
  }
  if (seen === undefined) return unknown(deps, resumed, 'AltaPay could not be asked whether it happened.');
  deps.log.info('operation retried: the gateway shows it did not happen', logContext(resumed));
  return call(deps, resumed, body);
}

function beingProcessed(record: OperationRecord): ConflictError {
  return new ConflictError(
    'operation_in_progress',
    `The ${record.kind} with Idempotency-Key ${record.idempotencyKey} is being processed; ask again with the same key in a moment.`,
  );
}

/** Asks the gateway and records its answer; a lost answer is looked up, never repeated here. */
async function call(
  deps: OperationDeps,
  record: OperationRecord,
  body: OperationBody,
): Promise<OperationOutcome> {
  let answer: OperationResult;
  try {
    answer = await send(deps.gateway, record, body);
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    deps.log.warn('operation: no answer from the gateway', { ...logContext(record), reason: error.message });
    if (!error.outcomeUnknown) return unknown(deps, record, error.message);
    const seen = await look(deps, record);
    if (seen !== undefined && happened(record, seen)) {
      return finish(deps, record, seen, 'the answer was lost; the gateway shows it happened');
    }
    return unknown(deps, record, error.message);
  }
  if (answer.result !== 'Success') {
    const reason = answer.merchantErrorMessage ?? `Result ${answer.result || 'missing'}`;
    deps.log.warn('operation refused by the gateway', { ...logContext(record), reason });
    const refused: OperationRecord = {
      ...record,
      state: 'done',
      result: answer.result || 'missing',
      merchantErrorMessage: reason,
      revision: record.revision + 1,
      updatedAt: deps.clock.now().toISOString(),
    };
    await save(deps, refused, record.revision);
    return { outcome: 'refused', record: refused, replayed: false };
  }
  // A charge answers the agreement and the new transaction it made; the others their own transaction.
  const mine =
    record.kind === 'charge'
      ? answer.transactions
      : answer.transactions.filter((t) => t.transactionId === record.transactionId);
  const shows = record.kind === 'charge' ? happened(record, mine) : mine.length > 0;
  const seen = shows ? mine : ((await look(deps, record)) ?? []);
  if (record.kind === 'charge' && !happened(record, seen)) return chargedUnseen(deps, record);
  // Without the transaction there is nothing to record: the retry looks again and records it then.
  if (seen.length === 0) {
    return unknown(deps, record, 'AltaPay answered Success, but the transaction could not be read back.');
  }
  return finish(deps, record, seen);
}

/**
 * A charge answered Success whose new transaction neither the answer nor the order's list shows.
 * Success is the gateway's word that it charged, and a charge has no amounts to compare, so asking
 * again could charge twice: the operation is done, and the transaction is recorded once the gateway
 * is asked about the order again (`npm run payments -- reconcile`).
 */
async function chargedUnseen(deps: OperationDeps, record: OperationRecord): Promise<OperationOutcome> {
  const done: OperationRecord = {
    ...record,
    state: 'done',
    result: 'Success',
    detail: 'AltaPay answered Success, but the new transaction could not be read back yet.',
    revision: record.revision + 1,
    updatedAt: deps.clock.now().toISOString(),
  };
  await save(deps, done, record.revision);
  deps.log.warn('charge done, its transaction not seen yet', logContext(done));
  return { outcome: 'done', record: done, replayed: false };
}

function send(
  gateway: PaymentGateway,
  record: OperationRecord,
  body: OperationBody,
): Promise<OperationResult> {
  switch (record.kind) {
    case 'capture':
      return gateway.captureReservation(record.transactionId, record.amount, body.orderLines);
    case 'refund':
      return gateway.refundCapturedReservation(record.transactionId, record.amount, body.orderLines);
    case 'release':
      return gateway.releaseReservation(record.transactionId);
    case 'charge':
      return gateway.chargeSubscription(record.transactionId, record.amount, {
        reserveOnly: body.reserveOnly === true,
      });
  }
}

/**
 * The gateway's transaction now (for a charge: the order's transactions, where a new charge shows),
 * or undefined when it cannot be asked.
 */
async function look(
  deps: OperationDeps,
  record: OperationRecord,
): Promise<readonly GatewayTransaction[] | undefined> {
  try {
    if (record.kind === 'charge') return await deps.gateway.transactionsOfOrder(record.shopOrderId);
    const answers = await deps.gateway.transactions(record.transactionId);
    return answers.filter((t) => t.transactionId === record.transactionId);
  } catch (error) {
    if (error instanceof GatewayError) return undefined;
    throw error;
  }
}

/**
 * True when the transaction moved by the operation's amount since the record's `before`; for a
 * charge, when a charge of the agreement the order did not have before the call is there.
 */
function happened(record: OperationRecord, seen: readonly GatewayTransaction[]): boolean {
  if (record.kind === 'charge') {
    const before = new Set(record.transactionsBefore ?? []);
    return seen.some(
      (t) =>
        isSubscriptionCharge(t) &&
        !before.has(t.transactionId) &&
        compareAmounts(addAmounts(t.reservedAmount, t.capturedAmount), '0') > 0,
    );
  }
  const t = seen.find((s) => s.transactionId === record.transactionId);
  if (t === undefined) return false;
  const moved = (after: string, before: string) =>
    compareAmounts(subtractAmounts(after, before), record.amount) >= 0;
  switch (record.kind) {
    case 'capture':
      return moved(t.capturedAmount, record.before.capturedAmount);
    case 'refund':
      return moved(t.refundedAmount, record.before.refundedAmount);
    case 'release':
      return transactionPhase(t, { callbackType: 'notification' }) === 'released';
  }
  return false;
}

/**
 * Records the gateway's transaction on the payment, the operation on its work (one event), then the
 * operation as done with the payment's new amounts.
 */
async function finish(
  deps: OperationDeps,
  record: OperationRecord,
  seen: readonly GatewayTransaction[],
  detail?: string,
): Promise<OperationOutcome> {
  const transactions = seen.map(withCurrency);
  const after = transactions.find((t) => t.transactionId === record.transactionId);
  const charged =
    record.kind === 'charge'
      ? transactions.find(
          (t) => isSubscriptionCharge(t) && !record.transactionsBefore?.includes(t.transactionId),
        )
      : undefined;
  const operation: WorkOperation = {
    kind: record.kind,
    amount: record.amount,
    partial: after !== undefined && isPartial(record.kind, after),
    idempotencyKey: record.idempotencyKey,
  };
  const now = deps.clock.now().toISOString();
  const facts = gatewayAnswer({
    shopOrderId: record.shopOrderId,
    // The payment exists, so its own currency is kept; this is only for a new one.
    currency: after?.currencyAlpha ?? '',
    transactions,
    // Saved just before the gateway was called: no later than the question.
    askedAt: record.updatedAt,
  });
  const { decision, work } = await saveDecision(deps, facts, now, undefined, { operation });
  if (work) await queueWork(deps, work);
  const done: OperationRecord = {
    ...record,
    state: 'done',
    result: 'Success',
    ...(detail === undefined ? {} : { detail }),
    ...(charged === undefined ? {} : { chargedTransactionId: charged.transactionId }),
    paymentAfter: amountsOf(decision.payment),
    revision: record.revision + 1,
    updatedAt: now,
  };
  await save(deps, done, record.revision);
  deps.log.info('operation done', { ...logContext(done), partial: operation.partial, detail });
  return { outcome: 'done', record: done, replayed: false };
}

/** The answer was lost and the gateway does not show the change: the caller must retry with the key. */
async function unknown(
  deps: OperationDeps,
  record: OperationRecord,
  reason: string,
): Promise<OperationOutcome> {
  const next: OperationRecord = {
    ...record,
    state: 'unknown',
    merchantErrorMessage: reason,
    revision: record.revision + 1,
    updatedAt: deps.clock.now().toISOString(),
  };
  await save(deps, next, record.revision);
  deps.log.error('operation outcome unknown', { ...logContext(next), reason });
  return { outcome: 'unknown', record: next, replayed: false };
}

async function save(deps: OperationDeps, record: OperationRecord, expected: number): Promise<void> {
  // Only the run holding the claim writes it; a conflict means a run thought abandoned came back.
  if ((await deps.store.saveOperation(record, expected)) === 'conflict') {
    deps.log.warn('operation record changed by another run', logContext(record));
  }
}

function isPartial(kind: OperationKind, t: GatewayTransaction): boolean {
  if (kind === 'capture') return compareAmounts(t.capturedAmount, t.reservedAmount) < 0;
  if (kind === 'refund') return compareAmounts(t.refundedAmount, t.capturedAmount) < 0;
  return false;
}

/** The payment's amounts over the transactions that count (those the gateway did not disown). */
function amountsOf(payment: Payment): NonNullable<OperationRecord['paymentAfter']> {
  const counted = Object.values(payment.transactions).filter((t) => t.flag !== 'unconfirmed');
  const sum = (pick: (t: (typeof counted)[number]) => string) =>
    counted.map(pick).reduce((total, amount) => addAmounts(total, amount), '0.00');
  return {
    status: payment.status,
    ...(payment.currency === undefined ? {} : { currency: payment.currency }),
    version: payment.version,
    reservedAmount: sum((t) => t.reservedAmount),
    capturedAmount: sum((t) => t.capturedAmount),
    refundedAmount: sum((t) => t.refundedAmount),
  };
}

function logContext(record: OperationRecord): Record<string, unknown> {
  return {
    shopOrderId: record.shopOrderId,
    operation: record.kind,
    idempotencyKey: record.idempotencyKey,
    transactionId: record.transactionId,
    amount: record.amount,
    state: record.state,
  };
}
