/**
 * The payments table's shape, in one place: the DynamoDB adapter, the local stack (which creates the
 * table in the emulator) and the CDK app all read it.
 *
 * One partition per shop order, so that in the DynamoDB console "query shopOrderId = 1234" shows the
 * whole story of an order:
 *
 * | recordKey       | what                                                                          |
 * |-----------------|-------------------------------------------------------------------------------|
 * | `payment`       | the payment: status, each transaction (state and details), version, outbox,   |
 * |                 | and `callbackLog`, the callbacks received (see PaymentStore.appendEvent)      |
 * | `work#<workId>` | the worker's record of one state change's slow work                           |
 *
 * A callback is one read and one write of the `payment` item: its transactions and its log entry
 * travel with the change they cause, not as items of their own.
 */
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
} as const;
