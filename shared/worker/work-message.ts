import * as z from 'zod/mini';
import type { GatewayTransaction } from '../altapay/api-response';
import { gatewayAmountSchema } from '../payments/money';
import { callbackTypeSchema, paymentWorkSchema, timestampSchema } from '../payments/payment';

const text = (max: number) => z.string().check(z.maxLength(max));
/** Present in the parsed transaction as undefined when the gateway left it out (JSON drops such keys). */
const maybe = (max: number) => z.union([text(max), z.undefined()]);

/**
 * A transaction as the callback's xml described it, without the masked PAN: what the decider reads,
 * and nothing card-like. The type check below keeps it the parsed transaction's shape.
 */
const queuedTransactionSchema = z.object({
  transactionId: text(64),
  paymentId: maybe(64),
  authType: maybe(64),
  transactionStatus: text(64),
  shopOrderId: text(200),
  terminal: maybe(200),
  currencyNumeric: text(3),
  currencyAlpha: maybe(3),
  reservedAmount: gatewayAmountSchema,
  capturedAmount: gatewayAmountSchema,
  refundedAmount: gatewayAmountSchema,
  cardStatus: maybe(64),
  threeDSecureResult: maybe(64),
  liableForChargeback: maybe(64),
  reasonCode: maybe(64),
  paymentNature: maybe(64),
  paymentSchemeName: maybe(64),
  fraudRiskScore: maybe(32),
  fraudRecommendation: maybe(32),
  createdDate: maybe(32),
  updatedDate: text(32),
  customerErrorMessage: z.optional(text(500)),
  merchantErrorMessage: z.optional(text(500)),
  chargebacks: z.array(
    z.object({
      date: maybe(64),
      type: maybe(64),
      reasonCode: maybe(64),
      reason: maybe(500),
      amount: gatewayAmountSchema,
      currency: maybe(8),
    }),
  ),
});
type QueuedTransaction = z.infer<typeof queuedTransactionSchema>;
// Both ways assignable: a field added to the parsed transaction must be added here (or left out on purpose).
type Unqueued = 'maskedPan';
const _sameShape: [QueuedTransaction, Omit<GatewayTransaction, Unqueued>] = [
  {} as Omit<GatewayTransaction, Unqueued>,
  {} as QueuedTransaction,
];
void _sameShape;

/**
 * A callback that passed every check but could not be recorded (the table was down): the facts the
 * decider needs, applied by the worker later. No token, checksum, xml, e-mail or masked PAN: the queue
 * and its dead-letter queue keep messages for days, and read only what is on this list.
 */
export const queuedCallbackSchema = z.object({
  callbackType: callbackTypeSchema,
  shopOrderId: text(200),
  /** ISO 4217 alpha code of the order. */
  currency: text(3),
  result: z.optional(text(64)),
  transactions: z.array(queuedTransactionSchema).check(z.maxLength(100)),
  receivedAt: timestampSchema,
});
export type QueuedCallback = Readonly<z.infer<typeof queuedCallbackSchema>>;

/**
 * A QueuedCallback on the queue, sealed against changes (seal-callback.ts): `callback` is its JSON,
 * the exact text the MAC covers, read only once the MAC matches.
 */
export const sealedCallbackSchema = z.object({
  callback: text(250_000),
  /** HMAC-SHA256 of `callback`, base64url. */
  mac: z.base64url().check(z.length(43)),
});
export type SealedCallback = Readonly<z.infer<typeof sealedCallbackSchema>>;

/**
 * The format before sealed callbacks: the raw form body, base64. Still read (checksum verified, as
 * then) so a message queued before an upgrade is recorded, not parked with its tokens for 14 days.
 * Nothing writes it any more; remove it once no queue can hold one (the queues keep messages 14 days).
 */
export const rawCallbackSchema = z.object({
  callbackType: callbackTypeSchema,
  body: z.base64().check(z.maxLength(350_000, 'is too long')),
  receivedAt: timestampSchema,
});

/**
 * What travels on the work queue: the slow work of a payment state change, or, when the table was
 * down, a verified callback to be recorded later. One schema, one type.
 */
export const workMessageSchema = z.discriminatedUnion('kind', [
  z.extend(paymentWorkSchema, { kind: z.literal('payment-work') }),
  z.extend(sealedCallbackSchema, { kind: z.literal('sealed-callback') }),
  z.extend(rawCallbackSchema, { kind: z.literal('callback') }),
]);

export type WorkMessage = Readonly<z.infer<typeof workMessageSchema>>;
