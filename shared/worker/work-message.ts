import * as z from 'zod';
import { callbackTypes, paymentStatuses } from '../payments/payment';

/**
 * What travels on the work queue: the slow work of a payment state change (ids only, never card
 * data), or, when the table was down, a verified callback to be recorded later. One schema, one type.
 */
export const workMessageSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('payment-work'),
    workId: z.string().min(1).max(200),
    shopOrderId: z.string().min(1).max(100),
    version: z.number().int().positive(),
    callbackType: z.enum(callbackTypes),
    status: z.enum(paymentStatuses),
    previousStatus: z.enum(paymentStatuses).optional(),
    transactionIds: z.array(z.string().max(64)).max(100).readonly(),
    createdAt: z.string(),
  }),
  z.object({
    kind: z.literal('callback'),
    callbackType: z.enum(callbackTypes),
    // A callback body is at most 256 KiB (base64: 4/3 of it).
    body: z.base64().max(350_000),
    receivedAt: z.string(),
  }),
]);

export type WorkMessage = z.infer<typeof workMessageSchema>;
