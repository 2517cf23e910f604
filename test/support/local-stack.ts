import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, vi } from 'vitest';
import type { GatewaySimulator } from '../../local/altapay-simulator/index';
import { fakeCredentials, type LocalResources, localRegion } from '../../local/emulators';
import type { MerchantEndpoint } from '../../local/merchant-endpoint';
import type { BatchOutcome } from '../../local/sqs-event-source';
import { type LocalStack, startLocalStack } from '../../local/stack';
import type { PaymentView } from '../../shared/payments/payment-view';
import { type ReceivedMessage, receiveAllMessages } from './emulators';
import { type FaultProxy, startFaultProxy } from './fault-proxy';
import { signedJsonRequest } from './signed-order';

export interface StackUnderTest {
  readonly apiUrl: string;
  readonly simulator: GatewaySimulator;
  /** The merchant's systems: the signed events the worker delivered, and how to make them fail. */
  readonly merchant: MerchantEndpoint;
  /** The emulators' own endpoints, table and queues (not the proxies): for set-up and assertions. */
  readonly resources: LocalResources;
  /** The proxies between the handlers and DynamoDB / SQS; only with `faults: true`. */
  readonly faults: { readonly dynamodb: FaultProxy; readonly sqs: FaultProxy; readonly gateway: FaultProxy };
  /** The recorded payment as the status API answers it (undefined when 404). */
  payment(shopOrderId: string): Promise<PaymentView | undefined>;
  /** Polls the status API until the payment has `status`, or fails after `timeoutMs`. */
  waitForStatus(shopOrderId: string, status: string, timeoutMs?: number): Promise<PaymentView>;
  /** The shop key the stack's create-payment checks orders against (SHOP_ORDER_KEY or the local key). */
  readonly shopOrderKey: string;
  /**
   * POST /payments as the shop's back end does: the order signed with the stack's shop key; resolves
   * with the gateway's payment request id (fails unless 201). `type` as the order may name it.
   */
  createPayment(shopOrderId: string, amount?: string, type?: string): Promise<string>;
  /** Every item of an order's partition, read from the table directly (not through the proxies). */
  orderItems(shopOrderId: string): Promise<Record<string, unknown>[]>;
  /** The worker's record of one piece of work (`recordKey = work#<workId>`), or undefined. */
  workRecord(shopOrderId: string, workId: string): Promise<Record<string, unknown> | undefined>;
  /** Sends a raw message body to the work queue, as any producer could. */
  sendWork(body: string): Promise<void>;
  /** Takes (receives and deletes) every visible message off the work queue. */
  takeWork(): Promise<ReceivedMessage[]>;
  /**
   * Everything parked in the dead-letter queue so far, with message attributes (`failureReason`,
   * `attempts`, `failedAt`). Drains the DLQ and keeps what it took, so every call sees all of it.
   */
  deadLetters(): Promise<readonly ReceivedMessage[]>;
  /** Runs the sweeper now (after a run in progress); resolves with what it returned. */
  sweepNow(): Promise<unknown>;
  /** Runs the reconciler now (after a run in progress); resolves with what it returned. */
  reconcileNow(): Promise<unknown>;
  /** Resolves once the worker's consumer polled an empty queue after this call. */
  workerIdle(): Promise<void>;
  /** Waits until the work queue holds no message at all, none in flight: every batch is done. */
  workSettled(timeoutMs?: number): Promise<void>;
  /** Calls `listener` after every batch the worker ran; returns a function that removes it. */
  onWorkerBatch(listener: (outcome: BatchOutcome) => void): () => void;
  /** Pauses / resumes the work queue's consumer (messages wait on the queue meanwhile). */
  pauseWorker(): Promise<void>;
  resumeWorker(): void;
}

export interface LocalStackTestOptions {
  /** How long an open payment waits for its notification (default 300 ms). */
  readonly notificationDelayMs?: number;
  /** Put fault proxies between the handlers and DynamoDB / SQS (see `faults`). */
  readonly faults?: boolean;
  /** The work queue's visibility timeout: how soon a failed message is retried (default 2 s). */
  readonly visibilityTimeoutSeconds?: number;
  /** How often the sweeper and the reconciler run on their own (default 5000 ms); tests usually call `sweepNow()`. */
  readonly scheduleIntervalMs?: number;
  /** How long a payment request goes unanswered before the reconciler asks the gateway (default 30 s). */
  readonly reconcileAfterSeconds?: number;
  /** How long the simulated gateway waits for a callback's answer (default 28 s, as AltaPay). */
  readonly gatewayAnswerTimeoutMs?: number;
}

/**
 * The whole local stack of `npm start` (emulators, AltaPay simulator, API with the real handlers, the
 * work queue's consumer, the sweeper's schedule and the merchant endpoint) for a test file, on free
 * ports, with `settings` in the environment before any handler loads. The environment is restored
 * afterwards, so the next stack in the same worker starts clean.
 */
export function useLocalStack(
  settings: Record<string, string> = {},
  options: LocalStackTestOptions | number = {},
): StackUnderTest {
  const opts: LocalStackTestOptions =
    typeof options === 'number' ? { notificationDelayMs: options } : options;
  let stack: LocalStack | undefined;
  let proxies: { dynamodb: FaultProxy; sqs: FaultProxy } | undefined;
  let gatewayProxy: FaultProxy | undefined;
  let environmentBefore: NodeJS.ProcessEnv = {};
  const parked: ReceivedMessage[] = [];
  const clients: { sqs?: SQSClient; table?: DynamoDBDocumentClient } = {};

  beforeAll(async () => {
    environmentBefore = { ...process.env };
    for (const [name, value] of Object.entries(settings)) vi.stubEnv(name, value);
    vi.resetModules();
    stack = await startLocalStack({
      apiPort: 0,
      simulatorPort: 0,
      merchantPort: 0,
      notificationDelayMs: opts.notificationDelayMs ?? 300,
      workQueueVisibilityTimeoutSeconds: opts.visibilityTimeoutSeconds ?? 2,
      scheduleIntervalMs: opts.scheduleIntervalMs ?? 5_000,
      ...(opts.reconcileAfterSeconds === undefined
        ? {}
        : { reconcileAfterSeconds: opts.reconcileAfterSeconds }),
      ...(opts.gatewayAnswerTimeoutMs === undefined
        ? {}
        : { gatewayAnswerTimeoutMs: opts.gatewayAnswerTimeoutMs }),
      // LOCAL_STACK_LOG=1 prints what npm start prints (requests, batches, merchant events).
      ...(process.env.LOCAL_STACK_LOG ? { log: (line: string) => console.log(line) } : {}),
      ...(opts.faults
        ? {
            handlerEndpoints: async (real) => {
              proxies = {
                dynamodb: await startFaultProxy({ target: real.dynamodbEndpoint, service: 'dynamodb' }),
                sqs: await startFaultProxy({ target: real.sqsEndpoint, service: 'sqs' }),
              };
              return { dynamodbEndpoint: proxies.dynamodb.url, sqsEndpoint: proxies.sqs.url };
            },
            handlerGateway: async (simulatorUrl: string) => {
              gatewayProxy = await startFaultProxy({ target: simulatorUrl, service: 'http' });
              return gatewayProxy.url;
            },
          }
        : {}),
    });
  });
  afterEach(() => {
    // One failed test must not leave the next one without its dependencies.
    proxies?.dynamodb.set('pass');
    proxies?.sqs.set('pass');
    gatewayProxy?.set('pass');
    stack?.merchant.answer('accept');
    stack?.queueConsumers.forEach((consumer) => {
      consumer.resume();
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await Promise.all([proxies?.dynamodb.close(), proxies?.sqs.close(), gatewayProxy?.close()]);
    clients.sqs?.destroy();
    clients.table?.destroy();
    vi.unstubAllEnvs();
    restoreEnvironment(environmentBefore);
  });

  const get = (): LocalStack => {
    if (stack === undefined) throw new Error('useLocalStack(): use it inside a test');
    return stack;
  };
  const sqs = () => {
    clients.sqs ??= new SQSClient({
      region: localRegion,
      endpoint: get().sqsEndpoint,
      credentials: fakeCredentials,
    });
    return clients.sqs;
  };
  const table = () => {
    clients.table ??= DynamoDBDocumentClient.from(
      new DynamoDBClient({
        region: localRegion,
        endpoint: get().dynamodbEndpoint,
        credentials: fakeCredentials,
      }),
    );
    return clients.table;
  };
  const consumers = () => get().queueConsumers;
  const payment = async (shopOrderId: string) => {
    const response = await fetch(`${get().apiUrl}/payments/${encodeURIComponent(shopOrderId)}`);
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw new Error(`GET /payments/${shopOrderId}: ${response.status}`);
    return (await response.json()) as PaymentView;
  };
  const runScheduleNow = (lambda: string) => {
    const schedule = get().schedules.find((s) => s.lambda === lambda);
    if (schedule === undefined) throw new Error(`no schedule invokes ${lambda}`);
    return schedule.runNow();
  };
  const workerIdle = async () => {
    await Promise.all(consumers().map((consumer) => consumer.idle()));
  };

  return {
    get apiUrl() {
      return get().apiUrl;
    },
    get simulator() {
      return get().simulator;
    },
    get merchant() {
      return get().merchant;
    },
    get resources() {
      const { dynamodbEndpoint, sqsEndpoint, tableName, queueUrl, dlqUrl } = get();
      return { dynamodbEndpoint, sqsEndpoint, tableName, queueUrl, dlqUrl };
    },
    get faults() {
      if (proxies === undefined || gatewayProxy === undefined)
        throw new Error('useLocalStack(): pass { faults: true } to get fault proxies');
      return { ...proxies, gateway: gatewayProxy };
    },
    get shopOrderKey() {
      return get().shopOrderKey;
    },
    payment,
    async waitForStatus(shopOrderId, status, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const current = await payment(shopOrderId);
        if (current?.status === status) return current;
        if (Date.now() > deadline) {
          throw new Error(
            `payment ${shopOrderId} is ${current?.status ?? 'unknown'}, not ${status}, after ${timeoutMs} ms`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async createPayment(shopOrderId, amount = '100.00', type) {
      const order = { shopOrderId, amount, currency: 'DKK', ...(type === undefined ? {} : { type }) };
      const response = await fetch(`${get().apiUrl}/payments`, signedJsonRequest(order, get().shopOrderKey));
      const text = await response.text();
      if (response.status !== 201)
        throw new Error(`POST /payments ${shopOrderId}: ${response.status} ${text}`);
      return (JSON.parse(text) as { paymentRequestId: string }).paymentRequestId;
    },
    async orderItems(shopOrderId) {
      const { Items = [] } = await table().send(
        new QueryCommand({
          TableName: get().tableName,
          KeyConditionExpression: 'shopOrderId = :id',
          ExpressionAttributeValues: { ':id': shopOrderId },
          ConsistentRead: true,
        }),
      );
      return Items;
    },
    async workRecord(shopOrderId, workId) {
      const { Item } = await table().send(
        new GetCommand({
          TableName: get().tableName,
          Key: { shopOrderId, recordKey: `work#${workId}` },
          ConsistentRead: true,
        }),
      );
      return Item;
    },
    async sendWork(body) {
      await sqs().send(new SendMessageCommand({ QueueUrl: get().queueUrl, MessageBody: body }));
    },
    takeWork: () => receiveAllMessages(get().sqsEndpoint, get().queueUrl),
    async deadLetters() {
      parked.push(...(await receiveAllMessages(get().sqsEndpoint, get().dlqUrl)));
      return parked;
    },
    sweepNow: () => runScheduleNow('work-sweeper'),
    reconcileNow: () => runScheduleNow('reconciler'),
    workerIdle,
    async workSettled(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { Attributes = {} } = await sqs().send(
          new GetQueueAttributesCommand({ QueueUrl: get().queueUrl, AttributeNames: ['All'] }),
        );
        // local-aws-sqs counts in-flight messages in ApproximateNumberOfMessages as well.
        const waiting =
          Number(Attributes.ApproximateNumberOfMessages ?? 0) +
          Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
          Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0);
        // Nothing waiting and nothing in flight: a batch deletes its messages only once the handler
        // has returned, and whatever the handler queued is counted too.
        if (waiting === 0) return;
        if (Date.now() > deadline) throw new Error(`the work queue still holds ${waiting} message(s)`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    onWorkerBatch(listener) {
      const removers = consumers().map((consumer) => consumer.onBatch(listener));
      return () => {
        for (const remove of removers) remove();
      };
    },
    async pauseWorker() {
      await Promise.all(consumers().map((consumer) => consumer.pause()));
    },
    resumeWorker() {
      for (const consumer of consumers()) consumer.resume();
    },
  };
}

/** Puts `process.env` back as it was: the stack adds settings (queue URLs, the merchant URL, ...). */
function restoreEnvironment(before: NodeJS.ProcessEnv): void {
  for (const name of Object.keys(process.env)) {
    if (!(name in before)) delete process.env[name];
  }
  for (const [name, value] of Object.entries(before)) {
    if (value !== undefined && process.env[name] !== value) process.env[name] = value;
  }
}

/** Polls `probe` until it returns something other than undefined; fails after `timeoutMs` naming `what`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
