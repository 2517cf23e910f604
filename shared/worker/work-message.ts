import * as z from 'zod/mini';
import { callbackTypes, paymentStatuses } from '../payments/payment';

const bounded = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));

/** The slow work of one payment state change, as the outbox and the queue hold it: ids only, never card data. */
export const paymentWorkSchema = z.object({
  workId: bounded(1, 200),
  shopOrderId: bounded(1, 100),
  version: z.int().check(z.positive()),
  callbackType: z.enum(callbackTypes),
  status: z.enum(paymentStatuses),
  previousStatus: z.optional(z.enum(paymentStatuses)),
  transactionIds: z.readonly(z.array(z.string().check(z.maxLength(64))).check(z.maxLength(100))),
  createdAt: z.string(),
});

/**
 * What travels on the work queue: the slow work of a payment state change, or, when the table was
 * down, a verified callback to be recorded later. One schema, one type.
 */
export const workMessageSchema = z.discriminatedUnion('kind', [
  z.extend(paymentWorkSchema, { kind: z.literal('payment-work') }),
  z.object({
    kind: z.literal('callback'),
    callbackType: z.enum(callbackTypes),
    // A callback body is at most 256 KiB (base64: 4/3 of it).
    body: z.base64().check(z.maxLength(350_000)),
    receivedAt: z.string(),
  }),
]);

export type WorkMessage = z.infer<typeof workMessageSchema>;
