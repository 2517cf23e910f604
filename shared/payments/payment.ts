/**
 * The payment model. A payment is everything that happened to one shop order: the gateway
 * transactions it received (up to 4 payments per order id, subscriptions with their charges) and the
 * status we derive from them. It is the unit of consistency: one item, one version, one decision.
 *
 * Each stored shape is defined here once, as a schema; its TypeScript type is inferred from it. The
 * table adapter reads items through these schemas, and the operators' CLI through a lenient reading
 * of the same ones, so a field added here reaches every reader.
 */
import * as z from 'zod/mini';
import { workOperationSchema } from '../operations/operation-kind';
import { errorMessageMaxLength } from './error-messages';
import { holdsMoney } from './status-properties';
import { aggregateStatus } from './transaction-phase';

export const paymentStatuses = [
  'created',
  'open',
  'reserved',
  'captured',
  'failed',
  'cancelled',
  'released',
  'refunded',
  'chargeback',
] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];
export const paymentStatusSchema = z.enum(paymentStatuses);

/** The four callbacks the gateway posts about a payment (verify-order is a question, not a callback). */
export const callbackTypes = ['ok', 'fail', 'open', 'notification'] as const;
export type CallbackType = (typeof callbackTypes)[number];
export const callbackTypeSchema = z.enum(callbackTypes);

/**
 * Why a transaction or payment needs a person's attention:
 * - second-successful-payment: a second successful one-off payment for an order that was already
 *   paid; refund or release it.
 * - unconfirmed: a callback the gateway does not confirm (a forgery, or a gateway fault); never
 *   handed on as paid. On a transaction it also means the transaction no longer counts towards the
 *   payment's status.
 * - amount-mismatch: the gateway confirmed a one-off payment for another amount or currency than the
 *   shop's request; never captured automatically, never announced as paid.
 */
export const paymentFlags = ['second-successful-payment', 'unconfirmed', 'amount-mismatch'] as const;
export type PaymentFlag = (typeof paymentFlags)[number];

/** When we recorded something: ISO 8601 UTC, as `Date#toISOString` writes it (it also orders index keys). */
export const timestampSchema = z.iso.datetime();

const text = (max: number) =>
  z
    .string()
    .check(z.minLength(1, 'must not be empty'), z.maxLength(max, `must be at most ${max} characters`));
/** A shop order id as stored: the table's partition key, so never empty. */
const shopOrderIdSchema = text(100);

/**
 * Whether `key` can key a stored map (the transactions by id, the outbox by work id): any text but the
 * names every JavaScript object already has (`__proto__`, `constructor`, `toString`, ...). With those as
 * keys an object stops being a plain map, and the DynamoDB marshaller refuses or loses it.
 */
export const isStorableKey = (key: string): boolean => !(key in Object.prototype);
/** What a storable key must not be, for every message that refuses one. */
export const reservedNames = 'a name JavaScript objects reserve, such as __proto__ or constructor';
/** An id that keys a stored map. */
const mapKey = (max: number) => text(max).check(z.refine(isStorableKey, `must not be ${reservedNames}`));

/**
 * Transactions one order's item may hold from callbacks. Each is under 1 KB, so 200 keep the item far
 * below DynamoDB's 400 KB whatever else it holds; the checksum covers no transaction id, so without a
 * cap one leaked signed callback replayed with new ids could grow the item until every write fails. A
 * real order has a handful (20 attempts at most), or one per charge of a subscription: 200 monthly
 * charges are over 16 years. The gateway's own answers are never refused.
 */
export const transactionLimit = 200;

/** The descriptive fields of a gateway transaction, as its latest accepted document gave them. */
export const transactionDetailsSchema = z.object({
  terminal: z.optional(z.string()),
  cardStatus: z.optional(z.string()),
  paymentNature: z.optional(z.string()),
  paymentSchemeName: z.optional(z.string()),
  threeDSecureResult: z.optional(z.string()),
  liableForChargeback: z.optional(z.string()),
  fraudRecommendation: z.optional(z.string()),
  fraudRiskScore: z.optional(z.string()),
  reasonCode: z.optional(z.string()),
  gatewayCreatedDate: z.optional(z.string()),
  /** Why it failed, in the gateway's words (see error-messages.ts); bounded, never card data. */
  customerErrorMessage: z.optional(z.string().check(z.maxLength(errorMessageMaxLength))),
  merchantErrorMessage: z.optional(z.string().check(z.maxLength(errorMessageMaxLength))),
});
export type TransactionDetails = Readonly<z.infer<typeof transactionDetailsSchema>>;

/**
 * A callback's claim about a transaction that the gateway has not confirmed yet. Callbacks can be
 * replayed (their checksum covers no type, xml or time), so a claim is shown but never counts.
 */
export const transactionClaimSchema = z.object({
  callbackType: callbackTypeSchema,
  receivedAt: timestampSchema,
  /** The phase the gateway last confirmed for the transaction; absent: never confirmed. */
  confirmedPhase: z.optional(paymentStatusSchema),
});
export type TransactionClaim = Readonly<z.infer<typeof transactionClaimSchema>>;

/**
 * One gateway transaction as last recorded: the newest state we know of (what ordering compares), and
 * whether the gateway confirmed it (see `claim`).
 */
export const transactionStateSchema = z.object({
  transactionId: mapKey(64),
  paymentId: z.optional(z.string()),
  authType: z.optional(z.string()),
  /** The gateway's TransactionStatus, verbatim (an open set: preauth, captured, epayment_declined, ...). */
  gatewayStatus: z.string(),
  /** What that means for the merchant (see transaction-phase.ts). */
  phase: paymentStatusSchema,
  /** ISO 4217 alpha code. */
  currency: z.string(),
  reservedAmount: z.string(),
  capturedAmount: z.string(),
  refundedAmount: z.string(),
  maskedPan: z.optional(z.string()),
  chargebacks: z.int().check(z.nonnegative()),
  /** The gateway's UpdatedDate, verbatim ('YYYY-MM-DD HH:MM:SS', gateway time); orders states. */
  gatewayUpdatedDate: z.string(),
  /** When we recorded this state. */
  updatedAt: timestampSchema,
  /** See paymentFlags; an unconfirmed transaction does not count towards the payment's status. */
  flag: z.optional(z.enum(paymentFlags)),
  /** What the gateway said about the transaction besides its state (for operators; never decides). */
  details: z.optional(z.readonly(transactionDetailsSchema)),
  /** Present exactly while these fields are a callback's claim the gateway has not confirmed (older items: confirmed). */
  claim: z.optional(z.readonly(transactionClaimSchema)),
});
export type TransactionState = Readonly<z.infer<typeof transactionStateSchema>>;

/** The payment request we created at the gateway for the order (create-payment). */
export const paymentRequestSchema = z.object({
  paymentRequestId: z.string(),
  /** The gateway's payment page for this request. */
  url: z.string(),
  /** Exact decimal string, as requested. */
  amount: z.string(),
  /** ISO 4217 alpha code. */
  currency: z.string(),
  language: z.optional(z.string()),
  /** The AltaPay terminal the request was made on (absent on older items: the only one there was). */
  terminal: z.optional(z.string()),
  createdAt: timestampSchema,
  /** After this the request no longer holds the order, answered or not (absent on older items: never). */
  expiresAt: z.optional(timestampSchema),
  /** Which payment request of the order this is, from 1 (absent on older items: the first). */
  attempt: z.optional(z.int().check(z.positive())),
});
export type PaymentRequest = Readonly<z.infer<typeof paymentRequestSchema>>;

/** The payment item's own attributes: what a decision reads and a save writes. */
export const paymentSchema = z.object({
  shopOrderId: shopOrderIdSchema,
  /** The confirmed status (see statusOf); what a callback claims on top of it is claimedStatusOf's. */
  status: paymentStatusSchema,
  /** ISO 4217 alpha code of the order, as first seen. */
  currency: z.optional(z.string()),
  /** Outcome of callbacks that named no transaction (e.g. a wallet error before any transaction). */
  orderPhase: z.optional(paymentStatusSchema),
  /** Keyed by transaction id. */
  transactions: z.readonly(z.record(mapKey(64), z.readonly(transactionStateSchema))),
  flags: z.readonly(z.array(z.enum(paymentFlags))),
  /** The latest payment request, when the order was started through create-payment. */
  request: z.optional(z.readonly(paymentRequestSchema)),
  /** When a callback last changed the payment; a request older than this has been answered. */
  lastCallbackAt: z.optional(timestampSchema),
  /** Optimistic-lock version: every saved change increments it. */
  version: z.int().check(z.positive()),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type Payment = Readonly<z.infer<typeof paymentSchema>>;

/**
 * The slow work of one payment state change (confirm with the gateway, tell the merchant), as the
 * outbox and the queue hold it: ids only, never card data.
 */
export const paymentWorkSchema = z.object({
  /** Unique per state change; the worker deduplicates on it. */
  workId: mapKey(200),
  shopOrderId: shopOrderIdSchema,
  version: z.int().check(z.positive('must be positive')),
  callbackType: callbackTypeSchema,
  /** The status the change claims (claimedStatusOf); what counts is what the worker confirms. */
  status: paymentStatusSchema,
  /** The confirmed status the change arrived on; an event is sent when the confirmed one differs. */
  previousStatus: z.optional(paymentStatusSchema),
  transactionIds: z.readonly(z.array(mapKey(64)).check(z.maxLength(100, 'too many'))),
  createdAt: timestampSchema,
  /** Set when a merchant's capture, refund, release or charge caused the change (shared/operations). */
  operation: z.optional(z.readonly(workOperationSchema)),
});
export type PaymentWork = Readonly<z.infer<typeof paymentWorkSchema>>;

/**
 * True while the order's payment request is waiting for the customer: no callback has answered it yet
 * and it has not expired (`now`, ISO time). Expiry is checked here, on read, so it also holds where the
 * table has no TTL (dynalite), and an unanswered request never holds an order for good.
 */
export function hasLiveRequest(payment: Payment, now: string): boolean {
  const { request, lastCallbackAt } = payment;
  if (request === undefined) return false;
  if (request.expiresAt !== undefined && request.expiresAt <= now) return false;
  return lastCallbackAt === undefined || lastCallbackAt < request.createdAt;
}

/** The phase the gateway confirmed for the transaction; undefined while it never confirmed one. */
export function confirmedPhaseOf(t: TransactionState): PaymentStatus | undefined {
  return t.claim ? t.claim.confirmedPhase : t.phase;
}

/**
 * The payment's status: what the gateway confirmed of its transactions (those it did not disown), and
 * the order-level outcome. Order-level outcomes (callbacks that name no transaction) count as they
 * arrive: they never hold money (see orderPhase) and there is no transaction to ask the gateway about.
 */
export function statusOf(
  transactions: Readonly<Record<string, TransactionState>>,
  orderPhase: PaymentStatus | undefined,
): PaymentStatus {
  const phases = Object.values(transactions)
    .filter((t) => t.flag !== 'unconfirmed')
    .map(confirmedPhaseOf)
    .filter((phase) => phase !== undefined);
  return aggregateStatus(orderPhase === undefined ? phases : [...phases, orderPhase]);
}

/**
 * What the payment's status would be if every pending claim were true: the newest phases of the
 * transactions the gateway did not disown. What the customer's page shows; never what decides.
 */
export function claimedStatusOf(payment: Pick<Payment, 'transactions' | 'orderPhase'>): PaymentStatus {
  const phases = Object.values(payment.transactions)
    .filter((t) => t.flag !== 'unconfirmed')
    .map((t) => t.phase);
  const { orderPhase } = payment;
  return aggregateStatus(orderPhase === undefined ? phases : [...phases, orderPhase]);
}

/** The newest of the payment's pending claims, if any. */
export function newestClaimOf(payment: Pick<Payment, 'transactions'>): TransactionClaim | undefined {
  let newest: TransactionClaim | undefined;
  for (const t of Object.values(payment.transactions)) {
    if (t.claim && (newest === undefined || t.claim.receivedAt > newest.receivedAt)) newest = t.claim;
  }
  return newest;
}

/**
 * True while a callback claims the order is paid and the gateway has not confirmed it: no second
 * payment may start meanwhile (it could take the money twice). A forged claim holds the order only
 * until the worker asks the gateway, moments later.
 */
export function awaitsConfirmation(payment: Payment): boolean {
  return holdsMoney(claimedStatusOf(payment)) && !holdsMoney(payment.status);
}
