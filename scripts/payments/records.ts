/**
 * The CLI's read model of the payments table (adapters/dynamodb/payments-table.ts): what it shows of
 * each item kind, read through schemas so that an item that drifted is named rather than printed wrong.
 * Lenient where an operator still wants to see the rest (statuses and flags are shown as stored).
 */
import { GetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { paymentsTable, recordKeys } from '../../adapters/dynamodb/payments-table';
import { describeIssue } from '../../shared/validation';
import { CliError } from './errors';
import type { Target } from './target';

const optionalString = z.optional(z.string());

const transactionState = z.object({
  transactionId: z.string(),
  paymentId: optionalString,
  authType: optionalString,
  paymentStatus: z.string(),
  phase: z.string(),
  currency: z.string(),
  reservedAmount: z.string(),
  capturedAmount: z.string(),
  refundedAmount: z.string(),
  maskedPan: optionalString,
  flag: optionalString,
  gatewayUpdatedDate: z.string(),
  updatedAt: z.string(),
  details: z.optional(
    z.object({
      paymentNature: optionalString,
      paymentSchemeName: optionalString,
      threeDSecureResult: optionalString,
      fraudRecommendation: optionalString,
    }),
  ),
});

const eventSchema = z.object({
  shopOrderId: z.string(),
  eventId: z.string(),
  callbackType: z.string(),
  receivedAt: z.string(),
  outcome: z.string(),
  result: optionalString,
  transactionIds: z.array(z.string()),
  statusAfter: z.string(),
});

const paymentSchema = z.object({
  shopOrderId: z.string(),
  status: z.string(),
  currency: optionalString,
  transactions: z.record(z.string(), transactionState),
  flags: z.array(z.string()),
  request: z.optional(
    z.object({
      paymentRequestId: z.string(),
      amount: z.string(),
      currency: z.string(),
      language: optionalString,
      createdAt: z.string(),
    }),
  ),
  lastCallbackAt: optionalString,
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  // The outbox: work recorded with a state change and not yet picked up by the worker.
  pendingWork: z.optional(
    z.record(z.string(), z.object({ workId: z.string(), status: z.string(), createdAt: z.string() })),
  ),
  // The callbacks received, oldest first, and how many more were only counted (a full log).
  callbackLog: z._default(z.array(eventSchema), []),
  callbacksNotLogged: z.optional(z.number()),
});

const workSchema = z.object({
  workId: z.string(),
  version: z.number(),
  state: z.string(),
  revision: z.number(),
  confirmation: z.optional(z.object({ checkedAt: z.string(), confirmed: z.boolean(), detail: z.string() })),
  capture: z.optional(
    z.object({
      at: z.string(),
      transactionId: z.string(),
      amount: z.string(),
      outcome: z.string(),
      detail: optionalString,
    }),
  ),
  event: z.optional(z.object({ eventId: z.string(), type: z.string(), body: z.string() })),
  deliveries: z.array(
    z.object({
      at: z.string(),
      status: z.optional(z.number()),
      error: optionalString,
      durationMs: z.number(),
    }),
  ),
  deliveredAt: optionalString,
  lastError: optionalString,
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** Only the log of a `payment` item (what `watch` polls). */
const callbackLogSchema = z.pick(paymentSchema, { callbackLog: true });

/** A `payment` item as the CLI shows it. */
export type PaymentView = z.infer<typeof paymentSchema>;
/** One gateway transaction of a payment, its details beside its state. */
export type TransactionView = z.infer<typeof transactionState>;
/** One entry of a payment's callback log: a received callback. */
export type EventView = z.infer<typeof eventSchema>;
/** A `work#…` item: the worker's record of one state change. */
export type WorkView = z.infer<typeof workSchema>;

/** Everything stored for one shop order, each kind oldest first. */
export interface OrderView {
  readonly payment: PaymentView;
  readonly transactions: readonly TransactionView[];
  readonly events: readonly EventView[];
  readonly work: readonly WorkView[];
}

/**
 * Payments with one of `statuses`, updated at or after `since`, newest first, at most `limit`.
 * One Query per status on the `byStatus` index (never a Scan: the table holds every callback ever
 * received), each newest first and stopped at `limit`, then merged.
 */
export async function listPayments(
  target: Target,
  query: { readonly statuses: readonly string[]; readonly since?: string; readonly limit: number },
): Promise<PaymentView[]> {
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
    .map((item) => parse(paymentSchema, item, 'payment'))
    .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0))
    .slice(0, query.limit);
}

/** The order's whole partition (strongly consistent), or undefined when no payment is recorded. */
export async function readOrder(target: Target, shopOrderId: string): Promise<OrderView | undefined> {
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
  const payment = parse(paymentSchema, paymentItem, `payment ${shopOrderId}`);
  return {
    payment,
    transactions: Object.values(payment.transactions),
    events: payment.callbackLog,
    work: of(recordKeys.work(''))
      .map((item) => parse(workSchema, item, `a work record of ${shopOrderId}`))
      .sort((a, b) =>
        a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.version - b.version,
      ),
  };
}

/** The order's callback events received at or after `since`, oldest first (from its payment's log). */
export async function eventsSince(target: Target, shopOrderId: string, since: string): Promise<EventView[]> {
  const { Item } = await target.documents.send(
    new GetCommand({
      TableName: await target.tableName(),
      Key: { [paymentsTable.partitionKey]: shopOrderId, [paymentsTable.sortKey]: recordKeys.payment },
      ProjectionExpression: '#log',
      ExpressionAttributeNames: { '#log': 'callbackLog' },
    }),
  );
  const log = parse(callbackLogSchema, Item ?? {}, `the callback log of ${shopOrderId}`);
  return log.callbackLog.filter((event) => event.receivedAt >= since);
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
