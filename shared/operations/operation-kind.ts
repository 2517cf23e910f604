/**
 * The merchant's operations on a payment's money, and what the work of one tells the worker. Kept
 * apart from the operation record so that the payment model can name them without importing it.
 */
import * as z from 'zod/mini';

/**
 * capture: take reserved money; refund: give captured money back; release: let a reservation go;
 * charge: charge (or reserve) an amount on a subscription agreement, a new transaction each time.
 */
export const operationKinds = ['capture', 'refund', 'release', 'charge'] as const;
export type OperationKind = (typeof operationKinds)[number];
export const operationKindSchema = z.enum(operationKinds);

/**
 * The operation that caused a payment change, carried on its work: the worker's event names it, so
 * each operation is one event even when the payment's status does not change (a second partial
 * capture stays `captured`, a partial refund too).
 */
export const workOperationSchema = z.object({
  kind: operationKindSchema,
  /** Exact decimal string: what this operation moved. */
  amount: z.string(),
  /** True when money is left to capture (capture) or to refund (refund) after it. */
  partial: z.boolean(),
  idempotencyKey: z.string(),
});
export type WorkOperation = Readonly<z.infer<typeof workOperationSchema>>;
