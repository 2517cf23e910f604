/**
 * The callback log: every callback the gateway posted about an order, kept on its payment item.
 * "Event" is reserved for what we send the merchant; what we receive is a callback log entry.
 */
import * as z from 'zod/mini';
import { callbackTypes, paymentStatusSchema, timestampSchema } from './payment';

/** How many callbacks an order's log keeps before it only counts the ones that change nothing. */
export const callbackLogLimit = 50;

/**
 * How many entries an order's log holds at all, changes included: a callback whose xml only moves a
 * transaction's UpdatedDate is a change, and one signed callback can be replayed with any xml, so
 * changes are bounded too. Later entries are counted, never kept: the item stays far below 400 KB.
 */
export const callbackLogMaxEntries = 200;

/** How many of the latest log entries a payment's history shows (changes are logged beyond the limit). */
export const callbackLogShown = 100;

/**
 * What a log entry records: one of the gateway's callbacks, or `reconciled`, the gateway's answer when
 * the reconciler asked it about the order. A kind of log entry, not a callback type: CallbackType names
 * only what the gateway posts, and the phase rules and the work read it.
 */
export const logEntryKinds = [...callbackTypes, 'reconciled'] as const;
export type LogEntryKind = (typeof logEntryKinds)[number];

/** One received callback (or reconciliation), as kept in the order's log. Never holds card data or the xml. */
export const callbackLogEntrySchema = z.object({
  shopOrderId: z.string().check(z.minLength(1)),
  entryId: z.string().check(z.minLength(1)),
  callbackType: z.enum(logEntryKinds),
  receivedAt: timestampSchema,
  /** changed: it moved the payment; duplicate: nothing new; stale: older than what we hold. */
  outcome: z.enum(['changed', 'duplicate', 'stale']),
  duplicate: z.boolean(),
  result: z.optional(z.string()),
  transactionIds: z.readonly(z.array(z.string())),
  /** The payment's status as this callback left it, its claim included (the gateway confirms it later). */
  statusAfter: paymentStatusSchema,
});
export type CallbackLogEntry = Readonly<z.infer<typeof callbackLogEntrySchema>>;
