import type { GatewayTransaction } from '../altapay/api-response';
import { ItemTooLargeError } from '../errors';
import { keepErrorMessages } from './error-messages';
import {
  type CallbackType,
  confirmedPhaseOf,
  type Payment,
  type PaymentFlag,
  type PaymentStatus,
  statusOf,
  type TransactionClaim,
  type TransactionDetails,
  type TransactionState,
  transactionLimit,
} from './payment';
import { holdsMoney } from './status-properties';
import { isOneOffPayment, orderPhase, phaseRank, transactionPhase } from './transaction-phase';

/** What a verified, validated callback tells us, in domain terms. */
export interface CallbackFacts {
  readonly callbackType: CallbackType;
  readonly shopOrderId: string;
  /** ISO 4217 alpha code of the order. */
  readonly currency: string;
  readonly result?: string;
  /** The callback's transactions that carry a TransactionId (an empty id cannot be recorded). */
  readonly transactions: readonly GatewayTransaction[];
  /**
   * callback: a message that may be late or replayed, so it only moves state forward. gateway: the
   * gateway's live answer to `payments`, the source of truth, which may correct a state either way.
   */
  readonly source?: 'callback' | 'gateway';
  /**
   * gateway: when the gateway was asked. A claim received after it is newer than the answer, so it
   * stays pending (with the answer as its confirmed phase) for the work it caused to confirm.
   */
  readonly askedAt?: string;
}

/**
 * The gateway's own answer about an order's transactions, as facts: the worker's confirmations, the
 * merchant's operations and the reconciler all record it this way. `askedAt` is when the question was
 * sent (earlier is safe: a claim that arrived since stays pending for its own confirmation).
 */
export function gatewayAnswer(answer: {
  readonly shopOrderId: string;
  readonly currency: string;
  readonly transactions: readonly GatewayTransaction[];
  readonly askedAt: string;
}): CallbackFacts {
  // `notification`: no callback type of its own decides the phase of what the gateway says.
  return { callbackType: 'notification', source: 'gateway', ...answer };
}

export interface Decision {
  /** changed: `payment` must be saved; duplicate: nothing new; stale: older than what is recorded. */
  readonly outcome: 'changed' | 'duplicate' | 'stale';
  /** The payment after this callback (the current one when nothing changed). */
  readonly payment: Payment;
  /** Transactions whose state this callback changed. */
  readonly changedTransactions: readonly TransactionState[];
  /** True when the change is one the merchant must hear about (new payment, transaction or status). */
  readonly causesWork: boolean;
  /** gateway: the transactions whose pending claim the gateway's answer does not back (the payment is flagged). */
  readonly refutedTransactions: readonly string[];
}

/**
 * Applies a callback to the recorded payment: the pure core of idempotency and ordering.
 *
 * Per transaction, a callback is accepted only if it says something new and is ahead of what is
 * recorded (see `compare`). So duplicates change nothing, a late fail never overrides a success, and
 * deliveries in any order converge on the same state. A second successful one-off payment for a
 * paid order is recorded and flagged.
 *
 * What a callback says is recorded as a claim (`claim` on the transaction) and counts towards the
 * payment's status only once the gateway's answer (source gateway) confirms it: anyone holding one
 * signed callback of an order can replay its fields with any xml.
 */
export function applyCallback(current: Payment | undefined, facts: CallbackFacts, now: string): Decision {
  const context = { callbackType: facts.callbackType, result: facts.result };
  const transactions: Record<string, TransactionState> = { ...current?.transactions };
  const changedIds: string[] = [];
  const refutedIds: string[] = [];
  let stale = false;
  let touched = false;

  for (const gateway of facts.transactions) {
    const incoming = toState(gateway, transactionPhase(gateway, context), now);
    const recorded = transactions[incoming.transactionId];
    if (recorded === undefined && facts.source !== 'gateway') refuseBeyondLimit(facts, transactions);
    const step =
      facts.source === 'gateway'
        ? confirmState(recorded, incoming, facts.askedAt)
        : claimState(recorded, incoming, { callbackType: facts.callbackType, receivedAt: now });
    if (step.verdict === 'same') continue;
    if (step.verdict === 'older') {
      stale = true;
      continue;
    }
    if (step.refuted) refutedIds.push(incoming.transactionId);
    // A declined transaction's messages stay while the gateway confirms the same state without them.
    transactions[incoming.transactionId] = keepErrorMessages(recorded, step.state);
    // A newer UpdatedDate on an unchanged state is recorded (so any order converges) but is no news.
    if (step.verdict === 'touched') touched = true;
    else if (!changedIds.includes(incoming.transactionId)) changedIds.push(incoming.transactionId);
  }

  const flags = new Set<PaymentFlag>(current?.flags);
  flagSecondPayments(transactions, current, changedIds, flags);
  if (refutedIds.length > 0) flags.add('unconfirmed');

  let phaseOfOrder = current?.orderPhase;
  if (facts.transactions.length === 0) {
    const phase = orderPhase(context);
    if (phaseOfOrder === undefined || outranks(phase, phaseOfOrder)) phaseOfOrder = phase;
    else if (phase !== phaseOfOrder) stale = true;
  }

  const status = statusOf(transactions, phaseOfOrder);
  const created = current === undefined;
  const changed = created || touched || changedIds.length > 0 || phaseOfOrder !== current.orderPhase;

  if (!changed) {
    return {
      outcome: stale ? 'stale' : 'duplicate',
      payment: current,
      changedTransactions: [],
      causesWork: false,
      refutedTransactions: [],
    };
  }
  const payment: Payment = {
    ...current,
    shopOrderId: facts.shopOrderId,
    status,
    currency: current?.currency ?? facts.currency,
    ...(phaseOfOrder === undefined ? {} : { orderPhase: phaseOfOrder }),
    transactions,
    flags: [...flags],
    version: (current?.version ?? 0) + 1,
    createdAt: current?.createdAt ?? now,
    updatedAt: now,
    lastCallbackAt: now,
  };
  return {
    outcome: 'changed',
    payment,
    changedTransactions: changedIds.map((id) => transactions[id]).filter((t) => t !== undefined),
    causesWork: created || changedIds.length > 0 || status !== current.status,
    refutedTransactions: refutedIds,
  };
}

/** Order-level outcomes only move up; equal ranks (failed, cancelled) break ties by name, to converge. */
function outranks(a: PaymentStatus, b: PaymentStatus): boolean {
  return phaseRank[a] !== phaseRank[b] ? phaseRank[a] > phaseRank[b] : a > b;
}

function toState(t: GatewayTransaction, phase: PaymentStatus, now: string): TransactionState {
  return {
    transactionId: t.transactionId,
    ...(t.paymentId === undefined ? {} : { paymentId: t.paymentId }),
    ...(t.authType === undefined ? {} : { authType: t.authType }),
    gatewayStatus: t.transactionStatus,
    phase,
    currency: t.currencyAlpha ?? '',
    reservedAmount: t.reservedAmount,
    capturedAmount: t.capturedAmount,
    refundedAmount: t.refundedAmount,
    ...(t.maskedPan === undefined ? {} : { maskedPan: t.maskedPan }),
    chargebacks: t.chargebacks.length,
    gatewayUpdatedDate: t.updatedDate,
    updatedAt: now,
    ...detailsOf(t),
  };
}

function detailsOf(t: GatewayTransaction): { details?: TransactionDetails } {
  const details: Record<string, string> = {};
  for (const [name, value] of Object.entries({
    terminal: t.terminal,
    cardStatus: t.cardStatus,
    paymentNature: t.paymentNature,
    paymentSchemeName: t.paymentSchemeName,
    threeDSecureResult: t.threeDSecureResult,
    liableForChargeback: t.liableForChargeback,
    fraudRecommendation: t.fraudRecommendation,
    fraudRiskScore: t.fraudRiskScore,
    reasonCode: t.reasonCode,
    gatewayCreatedDate: t.createdDate,
    customerErrorMessage: t.customerErrorMessage,
    merchantErrorMessage: t.merchantErrorMessage,
  })) {
    if (value !== undefined) details[name] = value;
  }
  return Object.keys(details).length === 0 ? {} : { details };
}

/** The parts of a transaction's state that matter; the gateway touching UpdatedDate alone is not news. */
function fingerprint(t: TransactionState): string {
  return [t.phase, t.gatewayStatus, t.reservedAmount, t.capturedAmount, t.refundedAmount, t.chargebacks].join(
    '|',
  );
}

/**
 * A total order on transaction states, so that any delivery order converges on the same state: the
 * higher phase rank wins (a late fail never undoes a success), then the later UpdatedDate (an older
 * document never overwrites a newer one of the same rank), then a deterministic tie-break.
 */
function compare(
  recorded: TransactionState,
  incoming: TransactionState,
): 'same' | 'touched' | 'older' | 'newer' {
  const a = fingerprint(recorded);
  const b = fingerprint(incoming);
  if (a === b) return incoming.gatewayUpdatedDate > recorded.gatewayUpdatedDate ? 'touched' : 'same';
  const byRank = phaseRank[incoming.phase] - phaseRank[recorded.phase];
  if (byRank !== 0) return byRank > 0 ? 'newer' : 'older';
  // 'YYYY-MM-DD HH:MM:SS' compares correctly as text; '-0001-11-30 …' (never happened) sorts first.
  if (incoming.gatewayUpdatedDate !== recorded.gatewayUpdatedDate) {
    return incoming.gatewayUpdatedDate > recorded.gatewayUpdatedDate ? 'newer' : 'older';
  }
  return b > a ? 'newer' : 'older';
}

interface Step {
  readonly verdict: 'same' | 'touched' | 'older' | 'newer';
  readonly state: TransactionState;
  readonly refuted?: boolean;
}

/**
 * A callback's state is only a claim: it replaces the recorded one when it is ahead (see `compare`),
 * and keeps what the gateway confirmed last until the gateway is asked.
 */
function claimState(
  recorded: TransactionState | undefined,
  incoming: TransactionState,
  claim: Omit<TransactionClaim, 'confirmedPhase'>,
): Step {
  const verdict = recorded === undefined ? 'newer' : compare(recorded, incoming);
  const flag = recorded?.flag;
  const flagged = flag ? { ...incoming, flag } : incoming;
  // Only UpdatedDate moved: the state is as confirmed (or as claimed) as it was.
  if (verdict === 'touched')
    return { verdict, state: recorded?.claim ? { ...flagged, claim: recorded.claim } : flagged };
  const confirmedPhase = recorded === undefined ? undefined : confirmedPhaseOf(recorded);
  const pending = { ...claim, ...(confirmedPhase === undefined ? {} : { confirmedPhase }) };
  return { verdict, state: { ...flagged, claim: pending } };
}

/**
 * The gateway's live view is the truth: it replaces ours whenever it differs, in either direction,
 * and confirms or refutes a pending claim. A claim received after the gateway was asked is newer than
 * the answer: it stays pending, now measured against the answer.
 */
function confirmState(
  recorded: TransactionState | undefined,
  incoming: TransactionState,
  askedAt?: string,
): Step {
  if (recorded === undefined) return { verdict: 'newer', state: incoming };
  const { claim } = recorded;
  if (claim && askedAt !== undefined && claim.receivedAt > askedAt) {
    if (claim.confirmedPhase === incoming.phase) return { verdict: 'same', state: recorded };
    return { verdict: 'newer', state: { ...recorded, claim: { ...claim, confirmedPhase: incoming.phase } } };
  }
  const refuted = claim !== undefined && !backs(incoming.phase, recorded.phase);
  // The gateway's word clears an `unconfirmed` mark, and a second payment it refutes is none; a
  // confirmed second payment stays marked for refund.
  const cleared =
    recorded.flag === 'unconfirmed' || (refuted && recorded.flag === 'second-successful-payment');
  const flag = cleared ? undefined : recorded.flag;
  const state = flag ? { ...incoming, flag } : incoming;
  if (claim || recorded.flag === 'unconfirmed' || fingerprint(recorded) !== fingerprint(incoming)) {
    return { verdict: 'newer', state, refuted };
  }
  return { verdict: incoming.gatewayUpdatedDate > recorded.gatewayUpdatedDate ? 'touched' : 'same', state };
}

/**
 * True when the gateway's phase backs a claimed one: it is the same, or further along. A claim is
 * always ahead of what was recorded (see `compare`), so it is backed only in its own direction:
 * claimed released, gateway reserved, and claimed captured, gateway declined, are both refuted.
 */
export function backs(gateway: PaymentStatus, claimed: PaymentStatus): boolean {
  // A failed or cancelled attempt the gateway still lists without an outcome claimed no money.
  const noOutcome = gateway === 'created' || gateway === 'open';
  if (noOutcome && (claimed === 'failed' || claimed === 'cancelled')) return true;
  return gateway === claimed || phaseRank[gateway] > phaseRank[claimed];
}

/**
 * Flags each transaction that became paid in this callback while another one-off payment of the same order
 * was already paid (docs/altapay-protocol.md §9.4: record it, flag it for refund or release, never lose it).
 */
function flagSecondPayments(
  transactions: Record<string, TransactionState>,
  current: Payment | undefined,
  changedIds: readonly string[],
  flags: Set<PaymentFlag>,
): void {
  const paidBefore = (id: string) => {
    const before = current?.transactions[id];
    return before !== undefined && holdsMoney(before.phase);
  };
  const paidIds = Object.values(transactions)
    .filter((t) => isOneOffPayment(t) && holdsMoney(t.phase) && paidBefore(t.transactionId))
    .map((t) => t.transactionId);
  for (const id of changedIds) {
    const t = transactions[id];
    if (t === undefined || !isOneOffPayment(t) || !holdsMoney(t.phase) || paidBefore(id)) continue;
    if (paidIds.length > 0 && t.flag === undefined) {
      transactions[id] = { ...t, flag: 'second-successful-payment' };
      flags.add('second-successful-payment');
    }
    paidIds.push(id);
  }
}

/**
 * A callback naming one more transaction than an order may hold is refused like an item DynamoDB would
 * refuse: the callback is kept on the queue, then parked with the reason and alarmed (ItemTooLarge),
 * never retried and never lost.
 */
function refuseBeyondLimit(facts: CallbackFacts, transactions: Record<string, TransactionState>): void {
  if (Object.keys(transactions).length < transactionLimit) return;
  throw new ItemTooLargeError(`record a new transaction for order ${facts.shopOrderId}`, {
    why: `the order already holds ${transactionLimit} transactions, the most one order may hold`,
  });
}
