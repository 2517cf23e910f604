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
import {
  callbackLogLimit,
  type PaymentChanges,
  type PaymentHistory,
  type PaymentStore,
} from '../../shared/ports';
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
  details: z.optional(
    z.object({
      terminal: z.optional(z.string()),
      cardStatus: z.optional(z.string()),
      paymentNature: z.optional(z.string()),
      paymentSchemeName: z.optional(z.string()),
      threeDSecureResult: z.optional(z.string()),
      liableForChargeback: z.optional(z.string()),
      fraudRecommendation: z.optional(z.string()),
      fraudRiskScore: z.optional(z.string()),
      reasonCode: z.optional(z.string()),
      gatewayCreatedDate: z.optional(z.string()),
    }),
  ),
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

/** The payment item's log: what callbacks arrived, changes always, the rest up to the limit. */
const historyItem = z.object({
  callbackLog: z._default(z.array(eventItem), []),
  callbacksNotLogged: z.optional(z.int()),
});

/** `getPayment` reads the payment's own attributes and never the (larger) callback log. */
const paymentProjection = (() => {
  const attributes = [...Object.keys(paymentItem.def.shape), 'recordKey'];
  return {
    expression: attributes.map((_, i) => `#p${i}`).join(', '),
    names: Object.fromEntries(attributes.map((name, i) => [`#p${i}`, name])),
  };
})();

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
        // The payment without its callback log: a decision never reads the log.
        ProjectionExpression: paymentProjection.expression,
        ExpressionAttributeNames: paymentProjection.names,
      }),
    );
    return Item === undefined ? undefined : paymentItem.parse(Item);
  }

  async savePayment(
    next: Payment,
    expectedVersion: number | undefined,
    changes: PaymentChanges = {},
  ): Promise<'saved' | 'conflict'> {
    try {
      if (expectedVersion === undefined) await this.create(next, changes);
      else await this.update(next, expectedVersion, changes);
      return 'saved';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'conflict';
      throw error;
    }
  }

  private create(payment: Payment, { work, event }: PaymentChanges) {
    return this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...payment,
          recordKey: recordKeys.payment,
          callbackLog: event ? [event] : [],
          pendingWork: work ? { [work.workId]: work } : {},
          ...(work ? { workPending: 'pending', workPendingSince: work.createdAt } : {}),
        },
        ConditionExpression: 'attribute_not_exists(shopOrderId)',
      }),
    );
  }

  private update(payment: Payment, expectedVersion: number, { work, event }: PaymentChanges) {
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
    if (event) {
      // Appended, never rewritten: a concurrent appendEvent's entry survives this write.
      Object.assign(names, { '#log': 'callbackLog' });
      Object.assign(values, { ':event': [event], ':noEvents': [] });
      sets.push('#log = list_append(if_not_exists(#log, :noEvents), :event)');
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

  async appendEvent(event: CallbackEvent): Promise<void> {
    const Key = { shopOrderId: event.shopOrderId, recordKey: recordKeys.payment };
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression: 'SET #log = list_append(if_not_exists(#log, :noEvents), :event)',
          ConditionExpression:
            'attribute_exists(shopOrderId) AND (attribute_not_exists(#log) OR size(#log) < :limit)',
          ExpressionAttributeNames: { '#log': 'callbackLog' },
          ExpressionAttributeValues: { ':event': [event], ':noEvents': [], ':limit': callbackLogLimit },
        }),
      );
      return;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    // The log is full (or the payment is gone): count the callback instead.
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression: 'ADD #notLogged :one',
          ConditionExpression: 'attribute_exists(shopOrderId)',
          ExpressionAttributeNames: { '#notLogged': 'callbacksNotLogged' },
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
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
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { shopOrderId, recordKey: recordKeys.payment },
        ConsistentRead: true,
      }),
    );
    if (Item === undefined) return undefined;
    const { callbackLog, callbacksNotLogged } = historyItem.parse(Item);
    return {
      payment: paymentItem.parse(Item),
      events: callbackLog.slice(-eventsShown),
      callbacksNotLogged: callbacksNotLogged ?? 0,
    };
  }
}
