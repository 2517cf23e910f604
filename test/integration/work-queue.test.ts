import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { SqsDeadLetterQueue, SqsWorkQueue } from '../../adapters/sqs/work-queue';
import { fakeCredentials, localRegion } from '../../local/emulators';
import { DependencyError } from '../../shared/errors';

// Port 9 (discard) on the loopback: nothing listens, so every send is refused. No retries: fail at once.
const client = new SQSClient({
  region: localRegion,
  endpoint: 'http://127.0.0.1:9',
  credentials: fakeCredentials,
  maxAttempts: 1,
});
afterAll(() => client.destroy());
const queueUrl = 'http://127.0.0.1:9/000000000000/payment-work';

describe('the SQS adapters, when the queue cannot be reached', () => {
  it('fail with a DependencyError naming the work queue, for work, callbacks and parked messages', async () => {
    const queue = new SqsWorkQueue(client, queueUrl);
    const deadLetters = new SqsDeadLetterQueue(client, queueUrl);
    const calls = [
      () =>
        queue.enqueue({
          workId: '1001#2',
          shopOrderId: '1001',
          version: 2,
          callbackType: 'ok',
          status: 'reserved',
          transactionIds: ['80000001'],
          createdAt: '2026-11-22T10:16:00.000Z',
        }),
      () => queue.enqueueCallback({ callback: '{"shopOrderId":"1001"}', mac: 'A'.repeat(43) }),
      () => deadLetters.park('{}', 'Failed 5 times: HTTP 500', 5),
    ];

    for (const call of calls) {
      const failed = call();
      await expect(failed).rejects.toBeInstanceOf(DependencyError);
      await expect(failed).rejects.toMatchObject({ dependency: 'work-queue' });
    }
  });
});
