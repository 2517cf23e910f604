import type { PaymentStore } from '../../shared/ports';
import { paymentsTable } from './payments-table';

/** The DynamoDB actions the payment store sends. `DeleteItem` and `Scan` are absent: nothing deletes or scans. */
export type TableAction = 'dynamodb:GetItem' | 'dynamodb:PutItem' | 'dynamodb:UpdateItem' | 'dynamodb:Query';

/** Where an action goes: the table itself, or one of its indexes (a `Query` with `IndexName`). */
export type TableTarget = 'table' | (typeof paymentsTable)['statusIndex' | 'pendingWorkIndex']['name'];

export interface TableCall {
  readonly action: TableAction;
  readonly on: TableTarget;
}

const onTable = (action: TableAction): TableCall => ({ action, on: 'table' });

/**
 * Every request each method of `DynamoDbPaymentStore` can send, over all its branches (create or update,
 * a full log, an emptied outbox). A function's table permissions are the union over the methods its code
 * calls (`infra/function-access.ts`), so they follow the code; `test/integration/table-calls.test.ts`
 * records what the adapter really sends to keep this list true.
 */
export const paymentStoreCalls: Readonly<Record<keyof PaymentStore, readonly TableCall[]>> = {
  getPayment: [onTable('dynamodb:GetItem')],
  // A new payment is a conditional put, a known one a conditional update.
  savePayment: [onTable('dynamodb:PutItem'), onTable('dynamodb:UpdateItem')],
  // Appends to the log, or counts the callback once the log is full.
  logCallback: [onTable('dynamodb:UpdateItem')],
  // Clears the entry, then leaves the pending-work index when the outbox is empty.
  markWorkQueued: [onTable('dynamodb:UpdateItem')],
  getPaymentHistory: [onTable('dynamodb:GetItem')],
  getWorkRecord: [onTable('dynamodb:GetItem')],
  saveWorkRecord: [onTable('dynamodb:PutItem')],
  listPendingWork: [{ action: 'dynamodb:Query', on: paymentsTable.pendingWorkIndex.name }],
  getOperation: [onTable('dynamodb:GetItem')],
  // The claim of a new key and every later state: conditional puts of the one item.
  saveOperation: [onTable('dynamodb:PutItem')],
  listPaymentsByStatus: [{ action: 'dynamodb:Query', on: paymentsTable.statusIndex.name }],
};
