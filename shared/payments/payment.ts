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
import { errorMessageMaxLength } from './error-messages';

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
 */
export const paymentFlags = ['second-successful-payment', 'unconfirmed'] as const;
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

/** One gateway transaction as last recorded: what the status API shows and what decisions compare. */
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
  status: paymentStatusSchema,
  previousStatus: z.optional(paymentStatusSchema),
  transactionIds: z.readonly(z.array(mapKey(64)).check(z.maxLength(100, 'too many'))),
  createdAt: timestampSchema,
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

/** The payment's status from its transactions (those the gateway did not disown) and order-level outcome. */
export function statusOf(
  transactions: Readonly<Record<string, TransactionState>>,
  orderPhase: PaymentStatus | undefined,
  aggregate: (phases: Iterable<PaymentStatus>) => PaymentStatus,
): PaymentStatus {
  const phases = Object.values(transactions)
    .filter((t) => t.flag !== 'unconfirmed')
    .map((t) => t.phase);
  return aggregate(orderPhase === undefined ? phases : [...phases, orderPhase]);
}
