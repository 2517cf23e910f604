/**
 * The record of one merchant operation (capture, refund, release, charge), its own item in the order's
 * partition (`operation#<Idempotency-Key>`): who asked, when, for what, what the gateway answered.
 * It is what makes a repeated request harmless: the key is claimed before the gateway is called, and
 * a repeat is answered from here.
 */
import * as z from 'zod/mini';
import { timestampSchema } from '../payments/payment';
import { operationKindSchema } from './operation-kind';

/** A transaction's amounts, exact decimal strings. */
const amountsSchema = z.object({
  reservedAmount: z.string(),
  capturedAmount: z.string(),
  refundedAmount: z.string(),
});

export const operationStates = ['in-progress', 'done', 'unknown'] as const;

export const operationRecordSchema = z.object({
  shopOrderId: z.string().check(z.minLength(1)),
  /** As the request sent it (operation-request.ts checks its shape). */
  idempotencyKey: z.string().check(z.minLength(1), z.maxLength(200)),
  kind: operationKindSchema,
  /** sha256 (hex) of the operation and its canonical body: a repeat must be the same request. */
  fingerprint: z.string(),
  /** The IAM caller's ARN (API Gateway's request context); `local` on the local stack. */
  requestedBy: z.string(),
  requestedAt: timestampSchema,
  transactionId: z.string(),
  /** What is asked to move (exact decimal string); the whole reservation for a release. */
  amount: z.string(),
  /**
   * in-progress: the key is claimed and the gateway is being asked. done: the gateway answered
   * (`result`). unknown: the answer was lost and the gateway did not show the change: the same key
   * looks again before it asks again.
   */
  state: z.enum(operationStates),
  /**
   * A charge: the order's transaction ids before the call. After a lost answer, a charge of the
   * agreement that is not among them is this one's.
   */
  transactionsBefore: z.optional(z.array(z.string())),
  /** A charge, once done: the transaction it made (the record's transactionId is the agreement's). */
  chargedTransactionId: z.optional(z.string()),
  /** The transaction's amounts just before the call: what tells, after a lost answer, whether it happened. */
  before: z.readonly(amountsSchema),
  /** The gateway's Result (Success, Error, Failed); absent until it answered. */
  result: z.optional(z.string()),
  /** The gateway's reason for a refusal, or why the outcome is unknown. */
  merchantErrorMessage: z.optional(z.string()),
  /** After a lost answer: how the outcome was found. */
  detail: z.optional(z.string()),
  /** The payment after the operation, as first answered (a repeat answers the same). */
  paymentAfter: z.optional(
    z.readonly(
      z.extend(amountsSchema, {
        status: z.string(),
        currency: z.optional(z.string()),
        version: z.int(),
      }),
    ),
  ),
  /** Optimistic-lock revision of this record. */
  revision: z.int().check(z.positive()),
  updatedAt: timestampSchema,
});
export type OperationRecord = Readonly<z.infer<typeof operationRecordSchema>>;
