import * as z from 'zod/mini';
import { callbackTypeSchema, paymentWorkSchema, timestampSchema } from '../payments/payment';

/** A callback that passed every check but could not be recorded (the table was down): applied later. */
export const queuedCallbackSchema = z.object({
  callbackType: callbackTypeSchema,
  /** The raw form body, base64: the worker runs the very same recording on it. A body is at most 256 KiB (base64: 4/3 of it). */
  body: z.base64().check(z.maxLength(350_000, 'is too long')),
  receivedAt: timestampSchema,
});
export type QueuedCallback = Readonly<z.infer<typeof queuedCallbackSchema>>;

/**
 * What travels on the work queue: the slow work of a payment state change, or, when the table was
 * down, a verified callback to be recorded later. One schema, one type.
 */
export const workMessageSchema = z.discriminatedUnion('kind', [
  z.extend(paymentWorkSchema, { kind: z.literal('payment-work') }),
  z.extend(queuedCallbackSchema, { kind: z.literal('callback') }),
]);

export type WorkMessage = Readonly<z.infer<typeof workMessageSchema>>;
