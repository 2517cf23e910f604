import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, type SendMessageCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import {
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  PutCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { InitializeMiddleware, MetadataBearer, MiddlewareStack } from '@smithy/types';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { DynamoDbPaymentStore } from '../adapters/dynamodb/payment-store';
import { recordKeys } from '../adapters/dynamodb/payments-table';
import { SqsWorkQueue } from '../adapters/sqs/work-queue';
import {
  apiResponseXml,
  callbackFields,
  createdTransaction,
  type PaymentState,
  paymentStates,
  settleTransaction,
} from '../local/altapay-simulator/index';
import type { Handler } from '../local/api-gateway-server';
import { loadLambdaHandler } from '../local/lambda-loader';
import { findCurrency } from '../shared/altapay/currency';
import { encodeFormBody } from '../shared/altapay/form-body';
import { answerCallback } from '../shared/callbacks/callback-answer';
import { recordCallback } from '../shared/callbacks/record-callback';
import { createPayment } from '../shared/checkout/create-payment';
import { orderSchema } from '../shared/checkout/order';
import { renderCallbackPage } from '../shared/pages';
import type { CallbackType } from '../shared/payments/payment';
import type { PaymentGateway, PaymentRequestInput, PaymentStore } from '../shared/ports';
import { MemoryPaymentStore, MemoryWorkQueue } from '../test/support/memory-store';
import { dynamodbItemBytes } from './cost-model';
import { median, percentile } from './stats';

export interface CallbackPathFigures {
  readonly callbackType: CallbackType;
  readonly callbacks: number;
  readonly handlerMedianMs: number;
  readonly handlerP99Ms: number;
  /**
   * The floor: the three calls a callback makes (consistent read, conditional update, queue send),
   * replayed with the same inputs the handler's adapters sent for a callback of this type (same item
   * sizes, the same update and condition expressions), through clients configured like the handler's.
   * What any read-decide-write design must spend on its I/O; everything above it is ours.
   */
  readonly floorMedianMs: number;
  readonly floorP99Ms: number;
  /** handler ÷ floor at the median and at p99. */
  readonly ratio: number;
  readonly p99Ratio: number;
  /**
   * CPU of the process running the handler (process.cpuUsage: user + system, the emulators in a
   * process of their own), per callback: mean, median and p99, and the floor's mean.
   */
  readonly handlerCpuMeanUs: number;
  readonly handlerCpuMedianUs: number;
  readonly handlerCpuP99Us: number;
  readonly floorCpuMeanUs: number;
  /** handler CPU ÷ floor CPU (means: CPU is what Lambda bills). */
  readonly cpuRatio: number;
  /** The stored payment's size before and after the callback, as DynamoDB counts it (approximately). */
  readonly itemBytes: number;
  readonly cpuOnlyMedianUs: number;
  readonly cpuOnlyP99Us: number;
}

/**
 * Untimed calls before each measurement (handler and floors alike): the first callback type would
 * otherwise also pay for optimising the code every type shares.
 */
const warmUpCalls = 200;

/** The terminal secret the benchmark's callbacks are signed with (the handlers verify it). */
export const benchSecret = 'bench-terminal-secret';
const secret = benchSecret;

/** The state each callback type reports, as the simulator's test acquirer produces it. */
const states: Record<CallbackType, PaymentState> = {
  ok: 'reserved',
  fail: 'declined',
  open: 'open',
  notification: 'reserved',
};

/** A realistic callback body (the simulator's documents: about 4 KB of xml) for a fresh order. */
export function callbackBody(callbackType: CallbackType, shopOrderId: string): string {
  const now = new Date();
  const created = createdTransaction({
    transactionId: String(80_000_000 + Math.floor(Math.random() * 1e7)),
    paymentId: randomUUID(),
    authType: 'payment',
    shopOrderId,
    terminal: 'Bench Terminal',
    currency: dkk,
    paymentNature: callbackType === 'open' ? 'Invoice' : 'CreditCard',
    withCard: callbackType !== 'open',
    creditCardToken: 'a'.repeat(40),
    at: now,
    cardHolder: {
      email: 'jens@example.dk',
      firstName: 'Jens',
      lastName: 'Hansen',
      address: 'Vestergade 1',
      city: 'Aarhus',
      postalCode: '8000',
      country: 'DK',
    },
  });
  const state = paymentStates[states[callbackType]];
  const transaction = settleTransaction(created, states[callbackType], '249.00', now);
  const xml = apiResponseXml({
    path: 'API/reservationOfFixedAmount',
    result: state.result,
    ...(state.merchantErrorMessage ? { merchantErrorMessage: state.merchantErrorMessage } : {}),
    ...(state.cardHolderErrorMessage ? { cardHolderErrorMessage: state.cardHolderErrorMessage } : {}),
    cardHolderMessageMustBeShown: state.mustBeShown,
    transactions: [transaction],
  });
  return encodeFormBody(
    callbackFields({
      transaction,
      status: state.status,
      result: state.result,
      requireCapture: true,
      xml,
      secret,
    }),
  );
}

function event(callbackType: CallbackType, body: string): APIGatewayProxyEvent {
  return {
    resource: `/callbacks/${callbackType}`,
    path: `/callbacks/${callbackType}`,
    httpMethod: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    multiValueHeaders: { 'content-type': ['application/x-www-form-urlencoded'] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
    requestContext: {
      requestId: randomUUID(),
      stage: 'bench',
      domainName: 'bench.local',
    } as APIGatewayProxyEvent['requestContext'],
  };
}

/** The gateway's side of createPaymentRequest, answered at once: the benchmark times callbacks only. */
const gateway: PaymentGateway = {
  createPaymentRequest: async () => ({
    paymentRequestId: randomUUID(),
    url: 'https://testgateway.altapaysecure.com/eCommerce/API/form?pid=bench',
  }),
  transactions: async () => [],
  captureReservation: async () => {
    throw new Error('the benchmark never captures');
  },
  transactionsOfOrder: async () => [],
  refundCapturedReservation: async () => {
    throw new Error('the benchmark never refunds');
  },
  releaseReservation: async () => {
    throw new Error('the benchmark never releases');
  },
  chargeSubscription: async () => {
    throw new Error('the benchmark never charges a subscription');
  },
};

/**
 * Records the order's payment request, as create-payment does before the customer pays: a callback
 * then reads and updates an existing payment, as it does in production.
 */
export async function startPayment(store: PaymentStore, shopOrderId: string): Promise<void> {
  await createPayment(
    {
      store,
      gateway,
      clock: { now: () => new Date() },
      log: silent,
      paymentType: 'payment',
      requestExpiryMinutes: 180,
      terminals: [{ name: 'Bench Terminal', method: 'card' }],
    },
    // The order as readSignedOrder hands it over once its signature held (the bench measures callbacks).
    orderSchema.parse({
      shopOrderId,
      amount: '249.00',
      currency: 'DKK',
      expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
    }),
    callbackUrls,
  );
}

const silent = { info() {}, warn() {}, error() {} };
const callbackUrls: PaymentRequestInput['callbacks'] = {
  ok: 'https://bench.example/callbacks/ok',
  fail: 'https://bench.example/callbacks/fail',
  open: 'https://bench.example/callbacks/open',
  notification: 'https://bench.example/callbacks/notification',
  verifyOrder: 'https://bench.example/callbacks/verify-order',
};

const dkk = (() => {
  const currency = findCurrency('DKK');
  if (!currency) throw new Error('DKK missing from the currency table');
  return currency;
})();

const context = {
  functionName: 'bench',
  awsRequestId: 'bench',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

/** The inputs of the three calls a callback's adapters send, captured from one real callback. */
interface CallbackCalls {
  readonly read: GetCommandInput;
  readonly update: UpdateCommandInput;
  readonly send: SendMessageCommandInput;
  /** The payment as create-payment stored it, which the callback then reads and updates. */
  readonly requested: Record<string, unknown>;
}

/** Records every command's input (before marshalling) that a client sends. */
function recordInputs<Input extends object, Output extends MetadataBearer>(
  stack: MiddlewareStack<Input, Output>,
): { commandName: string; input: unknown }[] {
  const seen: { commandName: string; input: unknown }[] = [];
  const record: InitializeMiddleware<Input, Output> = (next, context) => async (args) => {
    seen.push({ commandName: String(context.commandName), input: structuredClone(args.input) });
    return next(args);
  };
  stack.add(record, { step: 'initialize', priority: 'high', name: 'benchRecordInputs' });
  return seen;
}

/**
 * Runs one callback of `callbackType` through the use case with the real adapters on clients that
 * record their inputs: the floor then replays exactly these calls. Fails when the callback makes any
 * other call than one read, one update and one send, as the floor would then not be its I/O.
 */
async function captureCallbackCalls(
  callbackType: CallbackType,
  shopOrderId: string,
  clients: { dynamodb: DynamoDBClient; sqs: SQSClient; table: string; queueUrl: string },
): Promise<CallbackCalls> {
  const dynamodbCalls = recordInputs(clients.dynamodb.middlewareStack);
  const sqsCalls = recordInputs(clients.sqs.middlewareStack);
  const store = new DynamoDbPaymentStore(clients.dynamodb, clients.table);
  await startPayment(store, shopOrderId);
  const documents = DynamoDBDocumentClient.from(clients.dynamodb);
  const key = { shopOrderId, recordKey: recordKeys.payment };
  const { Item } = await documents.send(
    new GetCommand({ TableName: clients.table, Key: key, ConsistentRead: true }),
  );
  if (Item === undefined) throw new Error('the payment request was not recorded');
  dynamodbCalls.length = 0;
  const body = Buffer.from(callbackBody(callbackType, shopOrderId));
  await recordCallback(
    {
      store,
      queue: new SqsWorkQueue(clients.sqs, clients.queueUrl),
      clock: { now: () => new Date() },
      log: silent,
      newId: randomUUID,
      callbackSecrets: [benchSecret],
      queueWhenTableFails: true,
    },
    callbackType,
    body,
  );
  const made = [...dynamodbCalls, ...sqsCalls].map((c) => c.commandName).join(', ');
  const [read, update] = dynamodbCalls;
  const [send] = sqsCalls;
  if (
    dynamodbCalls.length !== 2 ||
    sqsCalls.length !== 1 ||
    read?.commandName !== 'GetItemCommand' ||
    update?.commandName !== 'UpdateItemCommand' ||
    send === undefined
  ) {
    throw new Error(`a ${callbackType} callback made ${made}, not one read, one update and one send`);
  }
  return {
    read: read.input as GetCommandInput,
    update: update.input as UpdateCommandInput,
    send: send.input as SendMessageCommandInput,
    requested: Item,
  };
}

/** A timed call's wall time (ms) and the CPU its process spent meanwhile (µs, user + system). */
interface Timed {
  readonly ms: number;
  readonly cpuUs: number;
}

async function timed(work: () => Promise<unknown>): Promise<Timed> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  return { ms, cpuUs: user + system };
}

const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

/**
 * Time and CPU per callback through the real Lambda handler (decode, verify, parse, validate,
 * persist, enqueue, render) against the embedded DynamoDB and SQS, beside the floor: the same read,
 * update and send the handler's adapters make for such a callback, replayed on an item of the same
 * size through clients configured like the handler's. The environment (table, queue, endpoints) must
 * already point at the emulators, which run in another process.
 */
export async function benchCallbackPath(
  callbacksPerType: number,
  sdkOptions: object,
): Promise<CallbackPathFigures[]> {
  const figures: CallbackPathFigures[] = [];
  const table = process.env.PAYMENTS_TABLE_NAME ?? '';
  const queueUrl = process.env.WORK_QUEUE_URL ?? '';
  // Records each order's payment request (untimed), through its own adapter as create-payment does.
  const store = new DynamoDbPaymentStore(new DynamoDBClient(sdkOptions), table);
  // The floor's clients: built like the handler's (functions/runtime/dependencies.ts), the document
  // client with the adapter's marshalling options.
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient(sdkOptions), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const sqs = new SQSClient(sdkOptions);
  for (const callbackType of ['ok', 'fail', 'open', 'notification'] as const) {
    const calls = await captureCallbackCalls(callbackType, `capture-${callbackType}`, {
      dynamodb: new DynamoDBClient(sdkOptions),
      sqs: new SQSClient(sdkOptions),
      table,
      queueUrl,
    });
    const handler = (await loadLambdaHandler(`callback-${callbackType}`)) as Handler;
    const count = callbacksPerType + warmUpCalls;
    // Everything the timed calls need is made first (payment requests recorded, the gateway's
    // documents built, the floor's items put), so that no setup garbage is collected inside a timed
    // call: a Lambda's heap holds only its own.
    const orders = Array.from({ length: count }, (_, i) => `bench-${callbackType}-${i}`);
    const floorKeys = orders.map((order) => ({
      shopOrderId: `floor-${order}`,
      recordKey: recordKeys.payment,
    }));
    for (const [i, order] of orders.entries()) {
      await startPayment(store, order);
      // Like a callback's payment, the floor's item exists already, as create-payment left it.
      await documents.send(
        new PutCommand({ TableName: table, Item: { ...calls.requested, ...floorKeys[i] } }),
      );
    }
    const requests = orders.map((order) => event(callbackType, callbackBody(callbackType, order)));
    const run = async (i: number) => {
      const request = requests[i];
      if (request === undefined) throw new Error(`no request ${i}`);
      return timed(async () => {
        const result = await handler(request, context);
        if (result.statusCode !== 200)
          throw new Error(`${callbackType}: HTTP ${result.statusCode} ${result.body}`);
      });
    };
    const floor = async (i: number) => {
      const Key = floorKeys[i];
      return timed(async () => {
        await documents.send(new GetCommand({ ...calls.read, Key }));
        await documents.send(new UpdateCommand({ ...calls.update, Key }));
        await sqs.send(new SendMessageCommand(calls.send));
      });
    };
    const handlerRuns: Timed[] = [];
    const floorRuns: Timed[] = [];
    for (let i = 0; i < count; i++) {
      // Interleaved, one of each in turn: both meet the same emulators, heap and machine load.
      const ours = await run(i);
      const bare = await floor(i);
      if (i >= warmUpCalls) {
        handlerRuns.push(ours);
        floorRuns.push(bare);
      }
    }
    const { Item: after } = await documents.send(
      new GetCommand({
        TableName: table,
        Key: { shopOrderId: `bench-${callbackType}-0`, recordKey: recordKeys.payment },
      }),
    );

    const handlerMs = handlerRuns.map((r) => r.ms);
    const floorMs = floorRuns.map((r) => r.ms);
    const handlerCpu = handlerRuns.map((r) => r.cpuUs);
    const floorCpu = floorRuns.map((r) => r.cpuUs);
    const cpu = cpuOnlyInFreshProcess(callbackType, callbacksPerType);
    figures.push({
      callbackType,
      callbacks: callbacksPerType,
      handlerMedianMs: median(handlerMs),
      handlerP99Ms: percentile(handlerMs, 99),
      floorMedianMs: median(floorMs),
      floorP99Ms: percentile(floorMs, 99),
      ratio: median(handlerMs) / median(floorMs),
      p99Ratio: percentile(handlerMs, 99) / percentile(floorMs, 99),
      handlerCpuMeanUs: mean(handlerCpu),
      handlerCpuMedianUs: median(handlerCpu),
      handlerCpuP99Us: percentile(handlerCpu, 99),
      floorCpuMeanUs: mean(floorCpu),
      cpuRatio: mean(handlerCpu) / mean(floorCpu),
      itemBytes: dynamodbItemBytes(after ?? {}),
      cpuOnlyMedianUs: median(cpu) * 1000,
      cpuOnlyP99Us: percentile(cpu, 99) * 1000,
    });
  }
  return figures;
}

/**
 * The CPU-only figures come from a fresh process, as a Lambda's heap holds only the function's own
 * objects, not three emulators' (their garbage would put its collection pauses in our p99).
 */
function cpuOnlyInFreshProcess(callbackType: CallbackType, count: number): number[] {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), callbackType, String(count)],
    {
      encoding: 'utf8',
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    },
  );
  if (child.status !== 0) throw new Error(`CPU-only run failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '[]') as number[];
}

/** Everything but the I/O: the same use case and page, with in-memory ports that answer at once. */
export async function cpuOnly(callbackType: CallbackType, count: number): Promise<number[]> {
  const store = new MemoryPaymentStore();
  const queue = new MemoryWorkQueue();
  const deps = {
    store,
    queue,
    clock: { now: () => new Date() },
    log: { info() {}, warn() {}, error() {} },
    newId: randomUUID,
    callbackSecrets: [benchSecret],
    queueWhenTableFails: true,
  };
  // A long warm-up: V8 optimises the hot functions only after a few thousand calls.
  const warmUp = 2_000;
  // The payment requests and the gateway's documents are made first, so that making them leaves no
  // garbage for the timed callbacks' collections.
  const orders = Array.from({ length: count + warmUp }, (_, i) => `cpu-${i}`);
  for (const order of orders) await startPayment(store, order);
  const requested = new Map(store.payments);
  const bodies = orders.map((order) => Buffer.from(callbackBody(callbackType, order)));
  const times: number[] = [];
  for (const [i, body] of bodies.entries()) {
    const payment = requested.get(orders[i] ?? '');
    store.payments.clear();
    if (payment) store.payments.set(payment.shopOrderId, payment);
    const started = performance.now();
    const recorded = await recordCallback(deps, callbackType, body);
    const answer = answerCallback(callbackType, recorded, { merchantName: 'Bench shop' });
    if (answer.kind === 'page') renderCallbackPage(answer.page);
    if (i >= warmUp) times.push(performance.now() - started);
    // As in a Lambda, whose table is elsewhere: the heap holds no earlier callback's payment.
    store.pendingWork.clear();
    store.callbackLog.length = 0;
    queue.sent.length = 0;
  }
  return times;
}

// Run as a child of the benchmark: `node --import tsx bench/callback-path.ts <callbackType> <count>`.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [callbackType = 'ok', count = '400'] = process.argv.slice(2);
  console.log(JSON.stringify(await cpuOnly(callbackType as CallbackType, Number(count))));
}
