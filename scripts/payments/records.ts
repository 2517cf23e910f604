/**
 * The CLI's read model of the payments table (adapters/dynamodb/payments-table.ts): each item kind read
 * through a lenient reading of its one schema (see lenient.ts), so that an item written by older or
 * newer code is still shown: what does not fit is shown as absent, statuses and flags as stored.
 */
import { GetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod/mini';
import {
  operationItemSchema,
  paymentItemSchema,
  paymentsTable,
  recordKeys,
  workItemSchema,
} from '../../adapters/dynamodb/payments-table';
import type { OperationRecord } from '../../shared/operations/operation-record';
import type { CallbackLogEntry } from '../../shared/payments/callback-log';
import type { TransactionState } from '../../shared/payments/payment';
import { describeIssue } from '../../shared/validation';
import type { WorkRecord } from '../../shared/worker/work-record';
import { CliError } from './errors';
import { type Lenient, lenient } from './lenient';
import type { Target } from './target';

const storedPayment = lenient(paymentItemSchema);
const storedWorkRecord = lenient(workItemSchema);
const storedOperation = lenient(operationItemSchema);

/** A `payment` item as the CLI reads it: the payment, its outbox and its callback log. */
export type StoredPayment = z.infer<typeof storedPayment>;
/** One gateway transaction of a payment, its details beside its state. */
export type StoredTransaction = Lenient<TransactionState>;
/** One entry of a payment's callback log: a received callback. */
export type StoredCallbackLogEntry = Lenient<CallbackLogEntry>;
/** A `work#…` item: the worker's record of one state change. */
export type StoredWorkRecord = Lenient<WorkRecord>;
/** An `operation#…` item: a capture, refund or release someone asked for. */
export type StoredOperation = Lenient<OperationRecord>;

/** Everything stored for one shop order, each kind oldest first. */
export interface StoredOrder {
  readonly payment: StoredPayment;
  readonly transactions: readonly StoredTransaction[];
  readonly callbackLog: readonly StoredCallbackLogEntry[];
  readonly work: readonly StoredWorkRecord[];
  readonly operations: readonly StoredOperation[];
}

/**
 * Payments with one of `statuses`, updated at or after `since`, newest first, at most `limit`.
 * One Query per status on the `byStatus` index (never a Scan: the table holds every callback ever
 * received), each newest first and stopped at `limit`, then merged.
 */
export async function listPayments(
  target: Target,
  query: { readonly statuses: readonly string[]; readonly since?: string; readonly limit: number },
): Promise<StoredPayment[]> {
  const { name, partitionKey, sortKey } = paymentsTable.statusIndex;
  const TableName = await target.tableName();
  const perStatus = await Promise.all(
    query.statuses.map((status) =>
      queryAll(
        target,
        {
          TableName,
          IndexName: name,
          KeyConditionExpression:
            query.since === undefined ? '#pk = :status' : '#pk = :status AND #sk >= :since',
          ExpressionAttributeNames: {
            '#pk': partitionKey,
            ...(query.since === undefined ? {} : { '#sk': sortKey }),
          },
          ExpressionAttributeValues: {
            ':status': status,
            ...(query.since === undefined ? {} : { ':since': query.since }),
          },
          ScanIndexForward: false,
        },
        query.limit,
      ),
    ),
  );
  return perStatus
    .flat()
    .map((item) => parse(storedPayment, item, 'payment'))
    .sort((a, b) => byText(b.updatedAt, a.updatedAt))
    .slice(0, query.limit);
}

/** The order's whole partition (strongly consistent), or undefined when no payment is recorded. */
export async function readOrder(target: Target, shopOrderId: string): Promise<StoredOrder | undefined> {
  const items = await queryAll(target, {
    TableName: await target.tableName(),
    KeyConditionExpression: '#pk = :id',
    ExpressionAttributeNames: { '#pk': paymentsTable.partitionKey },
    ExpressionAttributeValues: { ':id': shopOrderId },
    ConsistentRead: true,
  });
  const key = (item: Record<string, unknown>) => String(item[paymentsTable.sortKey] ?? '');
  const paymentItem = items.find((item) => key(item) === recordKeys.payment);
  if (paymentItem === undefined) return undefined;
  const of = (prefix: string) => items.filter((item) => key(item).startsWith(prefix));
  const payment = parse(storedPayment, paymentItem, `payment ${shopOrderId}`);
  return {
    payment,
    transactions: Object.values(payment.transactions ?? {}).filter((t) => t !== undefined),
    callbackLog: payment.callbackLog ?? [],
    work: of(recordKeys.work(''))
      .map((item) => parse(storedWorkRecord, item, `a work record of ${shopOrderId}`))
      .sort((a, b) => byText(a.createdAt, b.createdAt) || (a.version ?? 0) - (b.version ?? 0)),
    operations: of(recordKeys.operation(''))
      .map((item) => parse(storedOperation, item, `an operation of ${shopOrderId}`))
      .sort((a, b) => byText(a.requestedAt, b.requestedAt)),
  };
}

/** The order's callbacks received at or after `since`, oldest first (from its payment's log). */
export async function callbacksSince(
  target: Target,
  shopOrderId: string,
  since: string,
): Promise<StoredCallbackLogEntry[]> {
  const { Item } = await target.documents.send(
    new GetCommand({
      TableName: await target.tableName(),
      Key: { [paymentsTable.partitionKey]: shopOrderId, [paymentsTable.sortKey]: recordKeys.payment },
      ProjectionExpression: '#log',
      ExpressionAttributeNames: { '#log': 'callbackLog' },
    }),
  );
  const { callbackLog = [] } = parse(storedPayment, Item ?? {}, `the callback log of ${shopOrderId}`);
  return callbackLog.filter((entry) => entry.receivedAt !== undefined && entry.receivedAt >= since);
}

async function queryAll(
  target: Target,
  input: QueryCommandInput,
  limit = Number.POSITIVE_INFINITY,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await target.documents.send(
      new QueryCommand({
        ...input,
        ExclusiveStartKey: start,
        ...(Number.isFinite(limit) ? { Limit: Math.min(limit - items.length, 1000) } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined && items.length < limit);
  return items;
}

function parse<T>(schema: z.ZodMiniType<T>, item: unknown, what: string): T {
  const parsed = schema.safeParse(item, { reportInput: true });
  if (parsed.success) return parsed.data;
  const [, problem] = describeIssue(parsed.error, schema, { field: 'its field', whole: 'it' });
  throw new CliError(`The stored ${what} does not have the expected shape: ${problem}`);
}

/** Orders two stored texts (ISO times), a missing one first. */
function byText(a: string | undefined, b: string | undefined): number {
  return (a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0;
}
