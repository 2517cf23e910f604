import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoDbPaymentStore } from '../../adapters/dynamodb/payment-store';
import { fakeCredentials, localRegion } from '../../local/emulators';
import { operationRecordSchema } from '../../shared/operations/operation-record';
import { callbackLogEntrySchema } from '../../shared/payments/callback-log';
import { paymentSchema, paymentWorkSchema } from '../../shared/payments/payment';
import { workRecordSchema } from '../../shared/worker/work-record';
import { useEmulators } from '../support/emulators';
import { arbitraryOf } from '../support/schema-arbitrary';
import { propertyRuns } from './runs';

const stack = useEmulators();
let client: DynamoDBClient | undefined;
const store = () => {
  client ??= new DynamoDBClient({
    region: localRegion,
    endpoint: stack.dynamodbEndpoint,
    credentials: fakeCredentials,
  });
  return new DynamoDbPaymentStore(client, stack.tableName);
};
afterAll(() => client?.destroy());

// Each case is several round trips to the emulator (about 20 ms each on a busy machine): sixty cases
// reach every optional field and enum value many times over and stay within seconds.
const runs = Math.min(propertyRuns, 60);
// Report the first counterexample as found: shrinking it through the emulator would outlast the timeout.
const options = { numRuns: runs, endOnFailure: true };
const timeout = 120_000;
const fresh = () => `shape-${randomUUID()}`;

describe('the stored shapes, written to DynamoDB and read back', () => {
  it(
    'keeps any valid payment, outbox entry and callback log entry unchanged, created or updated',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          arbitraryOf(paymentSchema),
          arbitraryOf(paymentSchema),
          arbitraryOf(paymentWorkSchema),
          arbitraryOf(callbackLogEntrySchema),
          async (first, second, work, logEntry) => {
            const shopOrderId = fresh();
            // One below the largest safe integer, so the update's version + 1 is still exact.
            const created = {
              ...first,
              shopOrderId,
              version: Math.min(first.version, Number.MAX_SAFE_INTEGER - 1),
            };
            const updated = { ...second, shopOrderId, version: created.version + 1 };

            expect(await store().savePayment(created, undefined, { work, logEntry })).toBe('saved');
            expect(await store().getPayment(shopOrderId)).toEqual(created);
            const history = await store().getPaymentHistory(shopOrderId);
            expect(history).toEqual({ payment: created, callbackLog: [logEntry], callbacksNotLogged: 0 });
            const pending = await store().listPendingWork('9999-12-31T00:00:00.000Z', 1_000_000);
            expect(pending).toContainEqual(work);

            expect(await store().savePayment(updated, created.version)).toBe('saved');
            expect(await store().getPayment(shopOrderId)).toEqual(updated);
            await store().markWorkQueued(work);
          },
        ),
        options,
      );
    },
    timeout,
  );

  it(
    'keeps any valid work record unchanged',
    async () => {
      await fc.assert(
        fc.asyncProperty(arbitraryOf(workRecordSchema), async (generated) => {
          const record = { ...generated, shopOrderId: fresh() };

          expect(await store().saveWorkRecord(record, undefined)).toBe('saved');

          expect(await store().getWorkRecord(record.shopOrderId, record.workId)).toEqual(record);
        }),
        options,
      );
    },
    timeout,
  );

  it(
    'keeps any valid operation record unchanged',
    async () => {
      await fc.assert(
        fc.asyncProperty(arbitraryOf(operationRecordSchema), async (generated) => {
          const record = { ...generated, shopOrderId: fresh() };

          expect(await store().saveOperation(record, undefined)).toBe('saved');
          expect(await store().getOperation(record.shopOrderId, record.idempotencyKey)).toEqual(record);
        }),
        options,
      );
    },
    timeout,
  );
});
