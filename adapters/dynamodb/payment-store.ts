import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { CallbackEvent, Payment, PaymentWork } from '../../shared/payments/payment';
import { callbackTypes, paymentStatuses } from '../../shared/payments/payment';
import { phaseRank } from '../../shared/payments/transaction-phase';
import type { PaymentHistory, PaymentStore, TransactionRecord } from '../../shared/ports';
import { paymentWorkSchema } from '../../shared/worker/work-message';
import type { WorkRecord } from '../../shared/worker/work-record';
import { paymentsTable, recordKeys } from './payments-table';

/** How many recent events the status API shows; the log itself is unbounded. */
const eventsShown = 100;

const status = z.enum(paymentStatuses);
const transactionState = z.object({
  transactionId: z.string(),
  paymentId: z.optional(z.string()),
  authType: z.optional(z.string()),
  paymentStatus: z.string(),
  phase: status,
  currency: z.string(),
  reservedAmount: z.string(),
  capturedAmount: z.string(),
  refundedAmount: z.string(),
  maskedPan: z.optional(z.string()),
  chargebacks: z.number(),
  gatewayUpdatedDate: z.string(),
  updatedAt: z.string(),
  flag: z.optional(z.enum(['second-successful-payment', 'unconfirmed'])),
});
/** A stored `payment` item. Read through a schema: items outlive code, and drift must fail loudly. */
const paymentItem = z.object({
  shopOrderId: z.string(),
  status,
  currency: z.optional(z.string()),
  orderPhase: z.optional(status),
  transactions: z.record(z.string(), transactionState),
  flags: z.array(z.enum(['second-successful-payment', 'unconfirmed-callback'])),
  request: z.optional(
    z.object({
      paymentRequestId: z.string(),
      url: z.string(),
      amount: z.string(),
      currency: z.string(),
      language: z.optional(z.string()),
      createdAt: z.string(),
    }),
  ),
  lastCallbackAt: z.optional(z.string()),
  version: z.int().check(z.positive()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const eventItem = z.object({
  shopOrderId: z.string(),
  eventId: z.string(),
  callbackType: z.enum(callbackTypes),
  receivedAt: z.string(),
  outcome: z.enum(['changed', 'duplicate', 'stale']),
  duplicate: z.boolean(),
  result: z.optional(z.string()),
  transactionIds: z.array(z.string()),
  statusAfter: status,
});

const workItem = z.object({
  workId: z.string(),
  shopOrderId: z.string(),
  version: z.number(),
  state: z.enum(['in-progress', 'done']),
  revision: z.int().check(z.positive()),
  confirmation: z.optional(z.object({ checkedAt: z.string(), confirmed: z.boolean(), detail: z.string() })),
  capture: z.optional(
    z.object({
      at: z.string(),
      transactionId: z.string(),
      amount: z.string(),
      outcome: z.enum(['captured', 'already-captured', 'refused']),
      detail: z.optional(z.string()),
    }),
  ),
  event: z.optional(z.object({ eventId: z.string(), type: z.string(), body: z.string() })),
  deliveries: z.array(
    z.object({
      at: z.string(),
      status: z.optional(z.number()),
      error: z.optional(z.string()),
      durationMs: z.number(),
    }),
  ),
  deliveredAt: z.optional(z.string()),
  lastError: z.optional(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const pendingWorkEntry = paymentWorkSchema;

/**
 * PaymentStore on one DynamoDB table (see payments-table.ts). Every write is a single-item
 * conditional write: the payment item's `version` is the optimistic lock, and its `pendingWork` map
 * is the outbox that makes a state change and its slow work durable in the same write.
 */
export class DynamoDbPaymentStore implements PaymentStore {
  private readonly client: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.client = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async getPayment(shopOrderId: string): Promise<Payment | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { shopOrderId, recordKey: recordKeys.payment },
        ConsistentRead: true,
      }),
    );
    return Item === undefined ? undefined : paymentItem.parse(Item);
  }

  async savePayment(
    next: Payment,
    expectedVersion: number | undefined,
    work?: PaymentWork,
  ): Promise<'saved' | 'conflict'> {
    try {
      if (expectedVersion === undefined) await this.create(next, work);
      else await this.update(next, expectedVersion, work);
      return 'saved';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'conflict';
      throw error;
    }
  }

  private create(payment: Payment, work: PaymentWork | undefined) {
    return this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...payment,
          recordKey: recordKeys.payment,
          pendingWork: work ? { [work.workId]: work } : {},
          ...(work ? { workPending: 'pending', workPendingSince: work.createdAt } : {}),
        },
        ConditionExpression: 'attribute_not_exists(shopOrderId)',
      }),
    );
  }

  private update(payment: Payment, expectedVersion: number, work: PaymentWork | undefined) {
    // Every attribute of the payment is set (none is ever removed), so a new field cannot be forgotten here.
    const { shopOrderId, ...attributes } = payment;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':expected': expectedVersion };
    const sets: string[] = [];
    for (const [i, [name, value]] of Object.entries(attributes).entries()) {
      if (value === undefined) continue;
      names[`#a${i}`] = name;
      values[`:a${i}`] = value;
      sets.push(`#a${i} = :a${i}`);
    }
    names['#version'] = 'version';
    if (work) {
      // The outbox map always exists (created with the item), so a nested SET is valid.
      Object.assign(names, {
        '#pendingWork': 'pendingWork',
        '#work': work.workId,
        '#wp': 'workPending',
        '#wps': 'workPendingSince',
      });
      Object.assign(values, { ':work': work, ':pending': 'pending', ':since': work.createdAt });
      sets.push('#pendingWork.#work = :work', '#wp = :pending', '#wps = if_not_exists(#wps, :since)');
    }
    return this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { shopOrderId, recordKey: recordKeys.payment },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async saveTransactionRecords(records: readonly TransactionRecord[]): Promise<void> {
    await Promise.all(
      records.map(async (record) => {
        try {
          await this.client.send(
            new PutCommand({
              TableName: this.tableName,
              Item: {
                ...record,
                recordKey: recordKeys.transaction(record.transactionId),
                phaseRank: phaseRank[record.phase],
              },
              // Forward only: a slower writer holding an older state cannot overwrite a newer record.
              ConditionExpression:
                'attribute_not_exists(recordKey) OR phaseRank < :rank OR (phaseRank = :rank AND gatewayUpdatedDate <= :date)',
              ExpressionAttributeValues: {
                ':rank': phaseRank[record.phase],
                ':date': record.gatewayUpdatedDate,
              },
            }),
          );
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }),
    );
  }

  async appendEvent(event: CallbackEvent): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...event, recordKey: recordKeys.event(event.receivedAt, event.eventId) },
        ConditionExpression: 'attribute_not_exists(recordKey)',
      }),
    );
  }

  async markWorkQueued(work: PaymentWork): Promise<void> {
    const key = { shopOrderId: work.shopOrderId, recordKey: recordKeys.payment };
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'REMOVE #pendingWork.#work',
          // Without it, an update of a missing item would create one.
          ConditionExpression: 'attribute_exists(shopOrderId)',
          ExpressionAttributeNames: { '#pendingWork': 'pendingWork', '#work': work.workId },
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (Object.keys(Attributes?.pendingWork ?? {}).length > 0) return;
      // Outbox empty: leave the sparse pending-work index, unless new work arrived in between.
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'REMOVE #wp, #wps',
          ConditionExpression: 'size(#pendingWork) = :zero',
          ExpressionAttributeNames: {
            '#pendingWork': 'pendingWork',
            '#wp': 'workPending',
            '#wps': 'workPendingSince',
          },
          ExpressionAttributeValues: { ':zero': 0 },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async getWorkRecord(shopOrderId: string, workId: string): Promise<WorkRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { shopOrderId, recordKey: recordKeys.work(workId) },
        ConsistentRead: true,
      }),
    );
    return Item === undefined ? undefined : workItem.parse(Item);
  }

  async saveWorkRecord(
    record: WorkRecord,
    expectedRevision: number | undefined,
  ): Promise<'saved' | 'conflict'> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...record, recordKey: recordKeys.work(record.workId) },
          ...(expectedRevision === undefined
            ? { ConditionExpression: 'attribute_not_exists(recordKey)' }
            : {
                ConditionExpression: 'revision = :expected',
                ExpressionAttributeValues: { ':expected': expectedRevision },
              }),
        }),
      );
      return 'saved';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'conflict';
      throw error;
    }
  }

  async listPendingWork(before: string, limit: number): Promise<readonly PaymentWork[]> {
    const { name, partitionKey, sortKey } = paymentsTable.pendingWorkIndex;
    const work: PaymentWork[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: name,
          KeyConditionExpression: '#pk = :pending AND #sk < :before',
          ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
          ExpressionAttributeValues: { ':pending': 'pending', ':before': before },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        for (const entry of Object.values((item.pendingWork ?? {}) as Record<string, unknown>)) {
          const parsed = pendingWorkEntry.parse(entry);
          if (parsed.createdAt < before) work.push(parsed);
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && work.length < limit);
    return work.slice(0, limit);
  }

  async getPaymentHistory(shopOrderId: string): Promise<PaymentHistory | undefined> {
    const [payment, events] = await Promise.all([
      this.getPayment(shopOrderId),
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'shopOrderId = :id AND begins_with(recordKey, :prefix)',
          ExpressionAttributeValues: { ':id': shopOrderId, ':prefix': recordKeys.eventPrefix },
          ScanIndexForward: false,
          Limit: eventsShown,
          ConsistentRead: true,
        }),
      ),
    ]);
    if (payment === undefined) return undefined;
    return { payment, events: (events.Items ?? []).map((item) => eventItem.parse(item)).reverse() };
  }
}
