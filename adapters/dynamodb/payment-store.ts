import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { DependencyError, ItemTooLargeError } from '../../shared/errors';
import type { OperationRecord } from '../../shared/operations/operation-record';
import {
  type CallbackLogEntry,
  callbackLogLimit,
  callbackLogMaxEntries,
  callbackLogShown,
} from '../../shared/payments/callback-log';
import {
  type Payment,
  type PaymentStatus,
  type PaymentWork,
  paymentSchema,
  paymentWorkSchema,
} from '../../shared/payments/payment';
import type { PaymentChanges, PaymentHistory, PaymentStore, WriteOutcome } from '../../shared/ports';
import type { WorkRecord } from '../../shared/worker/work-record';
import {
  operationItemSchema,
  paymentItemSchema,
  paymentsTable,
  recordKeys,
  workItemSchema,
} from './payments-table';

/** The payment's own attributes: what `getPayment` reads, and what a save sets or removes. */
const paymentAttributes = Object.keys(paymentSchema.shape) as (keyof Payment)[];

/** `getPayment` reads the payment's own attributes and never the (larger) callback log. */
const paymentProjection = {
  expression: paymentAttributes.map((_, i) => `#p${i}`).join(', '),
  names: Object.fromEntries(paymentAttributes.map((name, i) => [`#p${i}`, name])),
};

/** The history's part of a payment item besides the payment. */
const historyOf = z.pick(paymentItemSchema, { callbackLog: true, callbacksNotLogged: true });

/**
 * Runs one table call. A condition that did not hold is the outcome `conflict`; any other failure
 * becomes a DependencyError (503: every write here is conditional or idempotent, so safe to retry).
 */
async function conditional(what: string, call: () => Promise<unknown>): Promise<WriteOutcome> {
  try {
    await call();
    return 'saved';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'conflict';
    throw tableError(what, error);
  }
}

/**
 * DynamoDB's refusal of an item past 400 KB ("Item size has exceeded …", or "Item size to update has
 * exceeded …" for an update) is permanent; every other failure may pass.
 */
function tableError(what: string, error: unknown): DependencyError {
  if (
    error instanceof Error &&
    error.name === 'ValidationException' &&
    /Item size .*exceeded/.test(error.message)
  )
    return new ItemTooLargeError(what, { cause: error });
  return new DependencyError('payments-table', `Could not ${what}.`, { cause: error });
}

/** Runs one table call that has no condition; any failure becomes a DependencyError. */
async function unconditional<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw tableError(what, error);
  }
}

/**
 * PaymentStore on one DynamoDB table (see payments-table.ts). Every write is a single-item
 * conditional write: the payment item's `version` is the optimistic lock, and its `pendingWork` map
 * is the outbox that makes a state change and its slow work durable in the same write. Items are read
 * through the stored shapes' schemas: items outlive code, and drift must fail loudly.
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
    // The payment without its callback log: a decision never reads the log.
    const item = await this.read('read the payment', shopOrderId, recordKeys.payment, {
      ProjectionExpression: paymentProjection.expression,
      ExpressionAttributeNames: paymentProjection.names,
    });
    return item === undefined ? undefined : paymentSchema.parse(item);
  }

  /** One item, strongly consistent (every read here is followed by a decision or shown as current). */
  private async read(
    what: string,
    shopOrderId: string,
    recordKey: string,
    projection: Pick<GetCommandInput, 'ProjectionExpression' | 'ExpressionAttributeNames'> = {},
  ): Promise<Record<string, unknown> | undefined> {
    const { Item } = await unconditional(what, () =>
      this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { shopOrderId, recordKey },
          ConsistentRead: true,
          ...projection,
        }),
      ),
    );
    return Item;
  }

  async savePayment(next: Payment, expectedVersion: number | undefined, changes: PaymentChanges = {}) {
    const saved = await conditional('save the payment', () =>
      expectedVersion === undefined
        ? this.create(next, changes)
        : this.update(next, expectedVersion, changes),
    );
    if (saved === 'saved' || expectedVersion === undefined || changes.logEntry === undefined) return saved;
    // The version moved, or the log is full: the same change again, its log entry counted instead (this
    // write holds only while the log is full, so a moved version is still a conflict).
    const { logEntry: _, ...unlogged } = changes;
    return conditional('save the payment', () => this.update(next, expectedVersion, unlogged, 'count'));
  }

  private create(payment: Payment, { work, logEntry }: PaymentChanges) {
    return this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...payment,
          recordKey: recordKeys.payment,
          callbackLog: logEntry ? [logEntry] : [],
          pendingWork: work ? { [work.workId]: work } : {},
          ...(work ? { workPending: 'pending', workPendingSince: work.createdAt } : {}),
        },
        ConditionExpression: 'attribute_not_exists(shopOrderId)',
      }),
    );
  }

  private update(
    payment: Payment,
    expectedVersion: number,
    { work, logEntry }: PaymentChanges,
    fullLog?: 'count',
  ) {
    // Every attribute of the payment's schema is set, or removed when absent, so the item holds exactly `payment`.
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':expected': expectedVersion };
    const sets: string[] = [];
    const removes: string[] = [];
    for (const [i, name] of paymentAttributes.entries()) {
      if (name === 'shopOrderId') continue;
      names[`#a${i}`] = name;
      const value = payment[name];
      if (value === undefined) removes.push(`#a${i}`);
      else {
        values[`:a${i}`] = value;
        sets.push(`#a${i} = :a${i}`);
      }
    }
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
    // A missing item has no version, so the condition also fails when the payment does not exist.
    let condition = '#version = :expected';
    let add = '';
    if (logEntry) {
      // Appended, never rewritten: a concurrent logCallback's entry survives this write.
      Object.assign(names, { '#log': 'callbackLog' });
      Object.assign(values, { ':entry': [logEntry], ':empty': [], ':logMax': callbackLogMaxEntries });
      sets.push('#log = list_append(if_not_exists(#log, :empty), :entry)');
      condition += ' AND (attribute_not_exists(#log) OR size(#log) < :logMax)';
    } else if (fullLog) {
      Object.assign(names, { '#log': 'callbackLog', '#notLogged': 'callbacksNotLogged' });
      Object.assign(values, { ':logMax': callbackLogMaxEntries, ':one': 1 });
      add = ' ADD #notLogged :one';
      condition += ' AND size(#log) >= :logMax';
    }
    return this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { shopOrderId: payment.shopOrderId, recordKey: recordKeys.payment },
        UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}${add}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: { ...names, '#version': 'version' },
        ExpressionAttributeValues: values,
      }),
    );
  }

  async logCallback(entry: CallbackLogEntry): Promise<void> {
    const Key = { shopOrderId: entry.shopOrderId, recordKey: recordKeys.payment };
    const logged = await conditional('log the callback', () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression: 'SET #log = list_append(if_not_exists(#log, :empty), :entry)',
          ConditionExpression:
            'attribute_exists(shopOrderId) AND (attribute_not_exists(#log) OR size(#log) < :limit)',
          ExpressionAttributeNames: { '#log': 'callbackLog' },
          ExpressionAttributeValues: { ':entry': [entry], ':empty': [], ':limit': callbackLogLimit },
        }),
      ),
    );
    if (logged === 'saved') return;
    // The log is full (or the payment is unknown, and then this does nothing either): count the callback instead.
    await conditional('count the callback', () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression: 'ADD #notLogged :one',
          ConditionExpression: 'attribute_exists(shopOrderId)',
          ExpressionAttributeNames: { '#notLogged': 'callbacksNotLogged' },
          ExpressionAttributeValues: { ':one': 1 },
        }),
      ),
    );
  }

  async markWorkQueued(work: PaymentWork): Promise<void> {
    const key = { shopOrderId: work.shopOrderId, recordKey: recordKeys.payment };
    let remaining = 0;
    const cleared = await conditional('clear the outbox', async () => {
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
      remaining = Object.keys(Attributes?.pendingWork ?? {}).length;
    });
    if (cleared === 'conflict' || remaining > 0) return;
    // Outbox empty: leave the sparse pending-work index, unless new work arrived in between (then: conflict, kept).
    await conditional('leave the pending-work index', () =>
      this.client.send(
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
      ),
    );
  }

  async getWorkRecord(shopOrderId: string, workId: string): Promise<WorkRecord | undefined> {
    const item = await this.read('read the work record', shopOrderId, recordKeys.work(workId));
    return item === undefined ? undefined : workItemSchema.parse(item);
  }

  saveWorkRecord(record: WorkRecord, expectedRevision: number | undefined): Promise<WriteOutcome> {
    return conditional('save the work record', () =>
      this.client.send(
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
      ),
    );
  }

  async getOperation(shopOrderId: string, idempotencyKey: string): Promise<OperationRecord | undefined> {
    const item = await this.read('read the operation', shopOrderId, recordKeys.operation(idempotencyKey));
    return item === undefined ? undefined : operationItemSchema.parse(item);
  }

  saveOperation(record: OperationRecord, expectedRevision: number | undefined): Promise<WriteOutcome> {
    return conditional('save the operation', () =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...record, recordKey: recordKeys.operation(record.idempotencyKey) },
          ...(expectedRevision === undefined
            ? { ConditionExpression: 'attribute_not_exists(recordKey)' }
            : {
                ConditionExpression: 'revision = :expected',
                ExpressionAttributeValues: { ':expected': expectedRevision },
              }),
        }),
      ),
    );
  }

  async listPendingWork(before: string, limit: number): Promise<readonly PaymentWork[]> {
    const { name, partitionKey, sortKey } = paymentsTable.pendingWorkIndex;
    const work: PaymentWork[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await unconditional('list pending work', () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: name,
            KeyConditionExpression: '#pk = :pending AND #sk < :before',
            ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
            ExpressionAttributeValues: { ':pending': 'pending', ':before': before },
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        for (const entry of Object.values((item.pendingWork ?? {}) as Record<string, unknown>)) {
          const parsed = paymentWorkSchema.parse(entry);
          if (parsed.createdAt < before) work.push(parsed);
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && work.length < limit);
    return work.slice(0, limit);
  }

  async listPaymentsByStatus(
    status: PaymentStatus,
    updated: { readonly from: string; readonly to: string },
    limit: number,
  ): Promise<readonly Payment[]> {
    const { name, partitionKey, sortKey } = paymentsTable.statusIndex;
    const payments: Payment[] = [];
    // DynamoDB refuses a Limit below 1.
    if (limit < 1) return payments;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await unconditional('list payments by status', () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: name,
            KeyConditionExpression: '#pk = :status AND #sk BETWEEN :from AND :to',
            ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
            ExpressionAttributeValues: { ':status': status, ':from': updated.from, ':to': updated.to },
            // Oldest first: the index sorts by updatedAt.
            ScanIndexForward: true,
            Limit: limit - payments.length,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      // The index projects whole items; the schema keeps the payment's own attributes.
      for (const item of page.Items ?? []) payments.push(paymentSchema.parse(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && payments.length < limit);
    return payments.slice(0, limit);
  }

  async getPaymentHistory(shopOrderId: string): Promise<PaymentHistory | undefined> {
    const item = await this.read('read the payment history', shopOrderId, recordKeys.payment);
    if (item === undefined) return undefined;
    const { callbackLog, callbacksNotLogged } = historyOf.parse(item);
    return {
      payment: paymentSchema.parse(item),
      callbackLog: callbackLog.slice(-callbackLogShown),
      callbacksNotLogged,
    };
  }
}
