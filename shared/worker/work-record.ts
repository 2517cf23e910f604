/**
 * The worker's memory of one piece of work (one payment state change): what the gateway said, whether
 * it captured, the merchant event built for it and every attempt to deliver it. It is what makes a
 * redelivered message harmless: a step already recorded is never done again.
 */
import * as z from 'zod/mini';
import { paymentStatusSchema, timestampSchema } from '../payments/payment';

/** One merchant event, built once and sent as is on every attempt. */
export const merchantEventSchema = z.object({
  eventId: z.string().check(z.minLength(1)),
  type: z.string(),
  /** The exact JSON body; the signature covers these bytes. */
  body: z.string(),
});
export type MerchantEvent = Readonly<z.infer<typeof merchantEventSchema>>;

/** One POST of the event to the merchant: the HTTP status it answered, or why there was none. */
export const deliveryAttemptSchema = z.object({
  at: timestampSchema,
  status: z.optional(z.int()),
  error: z.optional(z.string()),
  durationMs: z.int().check(z.nonnegative()),
});
export type DeliveryAttempt = Readonly<z.infer<typeof deliveryAttemptSchema>>;

export const workRecordSchema = z.object({
  workId: z.string().check(z.minLength(1)),
  shopOrderId: z.string().check(z.minLength(1)),
  /** The payment version the work is about. */
  version: z.int().check(z.positive()),
  state: z.enum(['in-progress', 'done']),
  /** Optimistic-lock revision of this record (0 only before it is first saved). */
  revision: z.int().check(z.nonnegative()),
  confirmation: z.optional(
    z.readonly(
      z.object({
        checkedAt: timestampSchema,
        /** True when the gateway backs every claim of the work's callback (see apply-callback's backs). */
        confirmed: z.boolean(),
        detail: z.string(),
        /** The payment's confirmed status once the gateway's answers were recorded (absent on older records). */
        status: z.optional(paymentStatusSchema),
      }),
    ),
  ),
  capture: z.optional(
    z.readonly(
      z.object({
        at: timestampSchema,
        transactionId: z.string(),
        amount: z.string(),
        outcome: z.enum(['captured', 'already-captured', 'refused']),
        detail: z.optional(z.string()),
      }),
    ),
  ),
  /** The event for the merchant; absent when there is nothing to hand on (e.g. unconfirmed). */
  event: z.optional(z.readonly(merchantEventSchema)),
  deliveries: z.readonly(z.array(z.readonly(deliveryAttemptSchema))),
  deliveredAt: z.optional(timestampSchema),
  lastError: z.optional(z.string()),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type WorkRecord = Readonly<z.infer<typeof workRecordSchema>>;
