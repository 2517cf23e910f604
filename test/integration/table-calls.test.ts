import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbPaymentStore } from '../../adapters/dynamodb/payment-store';
import { paymentStoreCalls, type TableCall } from '../../adapters/dynamodb/table-calls';
import { fakeCredentials, localRegion } from '../../local/emulators';
import type { OperationRecord } from '../../shared/operations/operation-record';
import type { Payment, PaymentWork } from '../../shared/payments/payment';
import type { PaymentStore } from '../../shared/ports';
import type { WorkRecord } from '../../shared/worker/work-record';
import { useEmulators } from '../support/emulators';

/**
 * `paymentStoreCalls` is what the functions' IAM permissions are made of: here the real adapter runs
 * every branch of each method against dynalite, and each request it sends is recorded off the wire
 * (its `X-Amz-Target` operation, and the index a `Query` names).
 */
const stack = useEmulators();

let sent: TableCall[] = [];

let client: DynamoDBClient;
let store: DynamoDbPaymentStore;
beforeAll(() => {
  client = new DynamoDBClient({
    region: localRegion,
    endpoint: stack.dynamodbEndpoint,
    credentials: fakeCredentials,
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      const operation = (args.request as { headers?: Record<string, string> }).headers?.['x-amz-target'];
      const index = (args.input as { IndexName?: string }).IndexName;
      sent.push({
        action: `dynamodb:${operation?.split('.')[1]}` as TableCall['action'],
        on: (index ?? 'table') as TableCall['on'],
      });
      return next(args);
    },
    { step: 'build', name: 'recordTableRequest' },
  );
  store = new DynamoDbPaymentStore(client, stack.tableName);
});
afterAll(() => client?.destroy());

const at = '2026-11-30T09:15:00.000Z';
const payment = (shopOrderId: string, version = 1): Payment => ({
  shopOrderId,
  status: 'created',
  currency: 'DKK',
  transactions: {},
  flags: [],
  version,
  createdAt: at,
  updatedAt: at,
});
const work = (shopOrderId: string): PaymentWork => ({
  workId: `${shopOrderId}#1`,
  shopOrderId,
  version: 1,
  callbackType: 'ok',
  status: 'reserved',
  transactionIds: ['7001234'],
  createdAt: at,
});
const workRecord = (shopOrderId: string, revision: number): WorkRecord => ({
  workId: `${shopOrderId}#1`,
  shopOrderId,
  version: 1,
  state: 'in-progress',
  revision,
  deliveries: [],
  createdAt: at,
  updatedAt: at,
});

const operation = (shopOrderId: string, revision: number): OperationRecord => ({
  shopOrderId,
  idempotencyKey: 'capture-1',
  kind: 'capture',
  fingerprint: 'f'.repeat(64),
  requestedBy: 'local',
  requestedAt: at,
  transactionId: '7001234',
  amount: '100.00',
  state: revision === 1 ? 'in-progress' : 'done',
  before: { reservedAmount: '249.00', capturedAmount: '0.00', refundedAmount: '0.00' },
  revision,
  updatedAt: at,
});

/** Runs `act` on a table prepared by `prepare` and returns what `act` alone sent, each request once. */
async function sentBy(prepare: () => Promise<unknown>, act: () => Promise<unknown>): Promise<TableCall[]> {
  await prepare();
  sent = [];
  await act();
  const distinct = new Map(sent.map((call) => [`${call.action} ${call.on}`, call]));
  return [...distinct.values()];
}

const nothing = async () => {};

/** Each method, with the preparation and the calls that reach all its branches. */
const scenarios: Readonly<
  Record<keyof PaymentStore, { prepare: () => Promise<unknown>; act: () => Promise<unknown> }>
> = {
  getPayment: { prepare: nothing, act: () => store.getPayment('tc-get') },
  savePayment: {
    prepare: nothing,
    // Created, then updated from version 1.
    act: async () => {
      await store.savePayment(payment('tc-save'), undefined, { work: work('tc-save') });
      await store.savePayment(payment('tc-save', 2), 1);
    },
  },
  logCallback: {
    prepare: () => store.savePayment(payment('tc-append'), undefined),
    // Logged on a known payment; counted (after the log condition fails) for an unknown one.
    act: async () => {
      for (const shopOrderId of ['tc-append', 'tc-append-unknown']) {
        await store.logCallback({
          shopOrderId,
          entryId: `${shopOrderId}-entry`,
          callbackType: 'ok',
          receivedAt: at,
          outcome: 'duplicate',
          duplicate: true,
          transactionIds: ['7001234'],
          statusAfter: 'created',
        });
      }
    },
  },
  markWorkQueued: {
    prepare: () => store.savePayment(payment('tc-mark'), undefined, { work: work('tc-mark') }),
    // Clears the entry, then leaves the pending-work index (the outbox is empty).
    act: () => store.markWorkQueued(work('tc-mark')),
  },
  getPaymentHistory: { prepare: nothing, act: () => store.getPaymentHistory('tc-history') },
  getWorkRecord: { prepare: nothing, act: () => store.getWorkRecord('tc-record', 'tc-record#1') },
  saveWorkRecord: {
    prepare: nothing,
    act: async () => {
      await store.saveWorkRecord(workRecord('tc-save-record', 1), undefined);
      await store.saveWorkRecord(workRecord('tc-save-record', 2), 1);
    },
  },
  listPendingWork: {
    prepare: () => store.savePayment(payment('tc-pending'), undefined, { work: work('tc-pending') }),
    act: () => store.listPendingWork('2026-12-01T00:00:00.000Z', 10),
  },
  getOperation: { prepare: nothing, act: () => store.getOperation('tc-operation', 'capture-1') },
  saveOperation: {
    prepare: nothing,
    // The claim of a new key, then the answer over it.
    act: async () => {
      await store.saveOperation(operation('tc-save-operation', 1), undefined);
      await store.saveOperation(operation('tc-save-operation', 2), 1);
    },
  },
  listPaymentsByStatus: {
    prepare: () => store.savePayment(payment('tc-by-status'), undefined),
    act: () => store.listPaymentsByStatus('created', { from: '2020-01-01T00:00:00.000Z', to: at }, 10),
  },
};

const byCall = (a: TableCall, b: TableCall) => `${a.action} ${a.on}`.localeCompare(`${b.action} ${b.on}`);

describe('the table calls the payment store declares', () => {
  it.each(Object.keys(scenarios) as (keyof PaymentStore)[])('are exactly what %s sends', async (method) => {
    const { prepare, act } = scenarios[method];
    const calls = await sentBy(prepare, act);
    expect(calls.sort(byCall)).toEqual([...paymentStoreCalls[method]].sort(byCall));
  });
});
