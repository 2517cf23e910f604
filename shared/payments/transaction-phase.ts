import type { GatewayTransaction } from '../altapay/api-response';
import { compareAmounts, isPositiveAmount } from './money';
import type { CallbackType, PaymentStatus } from './payment';
import { holdsMoney } from './status-properties';

/**
 * What a gateway transaction means for the merchant. Decided from TransactionStatus AND amounts, never from
 * the callback's `Result` alone (docs/altapay-protocol.md §9.3): `failed` with a reserved amount still holds
 * the customer's money, and `Result=Success` can hide `captured_failed` or `created` with zero amounts.
 */

/**
 * Forward order of a transaction's life. A recorded transaction never moves to a lower rank, so a
 * late or replayed failure cannot undo a success. Equal ranks (captured/released) follow UpdatedDate.
 */
export const phaseRank: Readonly<Record<PaymentStatus, number>> = {
  created: 0,
  open: 1,
  failed: 2,
  cancelled: 2,
  reserved: 3,
  captured: 4,
  released: 4,
  refunded: 5,
  chargeback: 6,
};

/**
 * Which status a payment with several transactions shows: money held beats money returned, which
 * beats no money. An order with a captured payment and a refunded duplicate is `captured`.
 */
const statusPrecedence: readonly PaymentStatus[] = [
  'chargeback',
  'captured',
  'reserved',
  'refunded',
  'released',
  'open',
  'cancelled',
  'failed',
  'created',
];

const reservedStatuses = new Set(['preauth', 'recurring_confirmed']);
const capturedStatuses = new Set(['captured', 'bank_payment_finalized']);
const refundedStatuses = new Set(['refunded', 'bank_payment_refunded']);
const cancelledStatuses = new Set(['epayment_cancelled', 'cancelled']);
const failedStatus = /(^|_)(failed|error|declined)$/;

/** Authorisations that take one payment for an order (an absent AuthType may be anything). */
export const oneOffAuthTypes: ReadonlySet<string> = new Set(['payment', 'paymentAndCapture']);

/** One-off payments; subscription agreements and their recurring charges legitimately share an order. */
export function isOneOffPayment(t: { readonly authType?: string }): boolean {
  return t.authType === undefined || oneOffAuthTypes.has(t.authType);
}

/** AuthTypes of a subscription agreement: the card saved for charges later, itself no charge. */
export const agreementAuthTypes: ReadonlySet<string> = new Set([
  'subscription',
  'subscriptionAndCharge',
  'subscriptionAndReserve',
]);

export function isSubscriptionAgreement(t: { readonly authType?: string }): boolean {
  return agreementAuthTypes.has(t.authType ?? '');
}

/** A charge (or reservation) made on an agreement: chargeSubscription's new transaction. */
export function isSubscriptionCharge(t: { readonly authType?: string }): boolean {
  return t.authType === 'subscription_payment';
}

/** The context a transaction arrived in; only consulted when status and amounts do not decide. */
export interface PhaseContext {
  readonly callbackType: CallbackType;
  readonly result?: string;
}

/**
 * Maps one gateway transaction to the status it means for the merchant. A callback_open never makes a payment
 * paid (docs/altapay-protocol.md §9.6): a reserved or captured transaction in it stays `open` until an ok or
 * a notification says so, which then outranks it.
 */
export function transactionPhase(transaction: GatewayTransaction, context: PhaseContext): PaymentStatus {
  const phase = phaseFromGateway(transaction, context);
  return context.callbackType === 'open' && holdsMoney(phase) ? 'open' : phase;
}

function phaseFromGateway(transaction: GatewayTransaction, context: PhaseContext): PaymentStatus {
  const status = transaction.transactionStatus.toLowerCase();
  const { reservedAmount, capturedAmount, refundedAmount } = transaction;
  if (transaction.chargebacks.length > 0 || context.result === 'ChargebackEvent') return 'chargeback';
  // A released reservation is gone even though ReservedAmount still shows what was reserved.
  if (status === 'released') return 'released';
  if (refundedStatuses.has(status) || isPositiveAmount(refundedAmount)) {
    // Only a full refund makes the transaction refunded; a partial one leaves money captured.
    return compareAmounts(refundedAmount, capturedAmount) >= 0 ? 'refunded' : 'captured';
  }
  if (capturedStatuses.has(status) || isPositiveAmount(capturedAmount)) return 'captured';
  // Money held, whatever the status says (e.g. captured_failed on a reservation).
  if (isPositiveAmount(reservedAmount)) return 'reserved';
  // Zero-amount successes: card verification, subscription agreements. The same status with nothing
  // reserved in a failure (Result=Error, or callback_fail) or on a one-off payment is an attempt that
  // stopped before any money was held; the gateway goes on listing such a transaction as preauth.
  if (reservedStatuses.has(status)) {
    const stopped = reportsFailure(context) || oneOffAuthTypes.has(transaction.authType ?? '');
    return stopped ? 'failed' : 'reserved';
  }
  if (cancelledStatuses.has(status)) return 'cancelled';
  if (failedStatus.test(status)) return 'failed';
  if (status === 'created') return context.callbackType === 'fail' ? 'failed' : 'created';
  // Not final (invoice_initialized without an amount, bank payments, unknown values): not paid.
  return context.callbackType === 'fail' ? 'failed' : 'open';
}

/** The outcome of a callback that named no transaction, from its type and `Result`. */
export function orderPhase(context: PhaseContext): PaymentStatus {
  const result = context.result?.toLowerCase();
  if (result === 'cancelled' || result === 'abortedbyuser') return 'cancelled';
  if (reportsFailure(context)) return 'failed';
  // An ok or notification without a transaction is a claim we cannot check yet: the worker confirms it.
  return 'open';
}

const failureResults = new Set(['error', 'failed', 'systemerror']);

/** True when the callback says the attempt failed: sent to callback_fail, or with a failing `Result`. */
function reportsFailure(context: PhaseContext): boolean {
  return context.callbackType === 'fail' || failureResults.has(context.result?.toLowerCase() ?? '');
}

/** The payment's status: the highest-precedence phase among its transactions and order-level outcome. */
export function aggregateStatus(phases: Iterable<PaymentStatus>): PaymentStatus {
  const present = new Set(phases);
  return statusPrecedence.find((status) => present.has(status)) ?? 'created';
}
