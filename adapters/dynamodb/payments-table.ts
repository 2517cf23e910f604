/**
 * The payments table's shape, in one place: the DynamoDB adapter, the operators' CLI, the local stack
 * (which creates the table in the emulator) and the CDK app all read it.
 *
 * One partition per shop order, so that in the DynamoDB console "query shopOrderId = 1234" shows the
 * whole story of an order:
 *
 * | recordKey       | what                                                                          |
 * |-----------------|-------------------------------------------------------------------------------|
 * | `payment`       | the payment: status, each transaction (state and details), version, outbox,   |
 * |                 | and `callbackLog`, the callbacks received (see PaymentStore.logCallback)      |
 * | `work#<workId>` | the worker's record of one state change's slow work                           |
 * | `operation#<key>` | a merchant's capture, refund or release, by its Idempotency-Key             |
 *
 * A callback is one read and one write of the `payment` item: its transactions and its log entry
 * travel with the change they cause, not as items of their own.
 */
import * as z from 'zod/mini';
import { operationRecordSchema } from '../../shared/operations/operation-record';
import { callbackLogEntrySchema } from '../../shared/payments/callback-log';
import { paymentSchema, paymentWorkSchema, timestampSchema } from '../../shared/payments/payment';
import { workRecordSchema } from '../../shared/worker/work-record';

export const paymentsTable = {
  partitionKey: 'shopOrderId',
  sortKey: 'recordKey',
  /** Lists payments by status and time (operators). Only `payment` items carry `status`. */
  statusIndex: { name: 'byStatus', partitionKey: 'status', sortKey: 'updatedAt' },
  /**
   * Sparse index of payments whose slow work is recorded but not yet on the queue (the outbox).
   * Only present while work is pending; the sweeper reads it.
   */
  pendingWorkIndex: { name: 'pendingWork', partitionKey: 'workPending', sortKey: 'workPendingSince' },
} as const;

export const recordKeys = {
  payment: 'payment',
  work: (workId: string) => `work#${workId}`,
  operation: (idempotencyKey: string) => `operation#${idempotencyKey}`,
} as const;

/** A `payment` item: the payment, plus what travels with it and never reaches a decision. */
export const paymentItemSchema = z.extend(paymentSchema, {
  /** The outbox: work recorded with a state change and not yet picked up by the worker, by work id. */
  pendingWork: z._default(z.readonly(z.record(z.string(), z.readonly(paymentWorkSchema))), {}),
  /** Present (`pending`) only while the outbox holds work: the pending-work index's keys. */
  workPending: z.optional(z.literal('pending')),
  workPendingSince: z.optional(timestampSchema),
  /** The callbacks received, oldest first: changes always, the rest up to the log's limit. */
  callbackLog: z._default(z.readonly(z.array(z.readonly(callbackLogEntrySchema))), []),
  /** Callbacks that changed nothing and arrived once the log was full: counted, not kept. */
  callbacksNotLogged: z._default(z.int().check(z.nonnegative()), 0),
});

/** A `work#<workId>` item: the worker's record, as is. */
export const workItemSchema = workRecordSchema;

/** An `operation#<key>` item: the operation's record, as is. */
export const operationItemSchema = operationRecordSchema;
