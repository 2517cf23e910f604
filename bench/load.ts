import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import autocannon from 'autocannon';
import { fakeCredentials, localRegion } from '../local/emulators';
import { receiveAll } from '../test/support/emulators';
import { callbackBody } from './callback-path';

export interface LoadFigures {
  readonly connections: number;
  readonly seconds: number;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly errors: number;
  readonly duplicatesSent: number;
  readonly acknowledgedOrders: number;
  readonly stored: number;
  readonly queued: number;
  readonly lost: number;
  /**
   * The same load on a bare HTTP server doing only a callback's consistent read, write and send (see
   * load-floor-server.ts): what any read-decide-write implementation would start from on this machine.
   */
  readonly floor: LoadFloorFigures;
}

export interface LoadFloorFigures {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly errors: number;
}

interface StackInfo {
  apiUrl: string;
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  tableName: string;
  queueUrl: string;
}

async function startServer(
  ...args: readonly string[]
): Promise<{ child: ChildProcess; info: Pick<StackInfo, 'apiUrl'> & Partial<StackInfo> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ALTAPAY_CALLBACK_SECRET: '' },
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    if (line.startsWith('{')) return { child, info: JSON.parse(line) as StackInfo };
  }
  throw new Error(`${args.join(' ')} did not start`);
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** The same load against a floor server: the figures any implementation would start from here. */
async function benchFloor(connections: number, seconds: number, read: boolean): Promise<LoadFloorFigures> {
  const { child, info } = await startServer('bench/load-floor-server.ts', ...(read ? ['--read'] : []));
  try {
    let next = 0;
    const result = await autocannon({
      url: info.apiUrl,
      connections,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          setupRequest: (request) => ({ ...request, body: callbackBody('ok', `floor-${next++}`) }),
        },
      ],
    });
    return {
      requestsPerSecond: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      maxMs: result.latency.max,
      errors: result.errors + result.non2xx + result.timeouts,
    };
  } finally {
    await stopServer(child);
  }
}

/**
 * Many concurrent clients posting ok callbacks to the local stack for `seconds`: unique orders plus
 * 10 % duplicates of orders already sent. Afterwards every order answered 2xx must be stored (its
 * payment is in the table) and queued (exactly one work message), duplicates adding nothing.
 */
export async function benchLoad(connections: number, seconds: number): Promise<LoadFigures> {
  const floor = await benchFloor(connections, seconds, true);
  const { child, info } = await startServer('bench/load-stack.ts');
  const { dynamodbEndpoint, sqsEndpoint, tableName, queueUrl } = info;
  if (!dynamodbEndpoint || !sqsEndpoint || !tableName || !queueUrl)
    throw new Error('the load stack said too little');
  try {
    const sent: string[] = [];
    const acknowledged = new Set<string>();
    let duplicates = 0;
    let next = 0;
    const result = await autocannon({
      url: `${info.apiUrl}/callbacks/ok`,
      connections,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          setupRequest: (request, state: object) => {
            const context = state as Record<string, unknown>;
            const duplicate = sent.length > 0 && Math.random() < 0.1;
            const order = duplicate
              ? (sent[Math.floor(Math.random() * sent.length)] ?? '')
              : `load-${next++}`;
            if (duplicate) duplicates++;
            else sent.push(order);
            context.order = order;
            return {
              ...request,
              body: bodyOf(order),
            };
          },
          onResponse: (status, _body, state: object) => {
            if (status >= 200 && status < 300)
              acknowledged.add(String((state as Record<string, unknown>).order));
          },
        },
      ],
    });
    // Every acknowledged order: its payment in the table, exactly one work message on the queue.
    const documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        region: localRegion,
        endpoint: dynamodbEndpoint,
        credentials: fakeCredentials,
      }),
    );
    const orders = [...acknowledged];
    let stored = 0;
    for (let i = 0; i < orders.length; i += 100) {
      const keys = orders.slice(i, i + 100).map((shopOrderId) => ({ shopOrderId, recordKey: 'payment' }));
      let request: Record<string, { Keys: Record<string, string>[] }> | undefined = {
        [tableName]: { Keys: keys },
      };
      while (request && Object.keys(request).length > 0) {
        const answer = await documents.send(new BatchGetCommand({ RequestItems: request }));
        stored += answer.Responses?.[tableName]?.length ?? 0;
        request = answer.UnprocessedKeys as typeof request;
      }
    }
    const messages = (await receiveAll(sqsEndpoint, queueUrl)).map(
      (body) => JSON.parse(body) as { shopOrderId: string },
    );
    const queuedOrders = new Set(messages.map((m) => m.shopOrderId));
    const queued = orders.filter((o) => queuedOrders.has(o)).length;
    const extraMessages = messages.length - queuedOrders.size;
    return {
      connections,
      seconds,
      requests: result.requests.total,
      requestsPerSecond: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      maxMs: result.latency.max,
      errors: result.errors + result.non2xx + result.timeouts,
      duplicatesSent: duplicates,
      acknowledgedOrders: orders.length,
      stored,
      queued,
      // Lost: acknowledged but missing from the table or the queue; a second message for one order counts too.
      lost: orders.length - Math.min(stored, queued) + extraMessages,
      floor,
    };
  } finally {
    await stopServer(child);
  }
}

const bodies = new Map<string, string>();
/** One realistic ok callback per order, built once (a duplicate is the very same body). */
const bodyOf = (order: string): string =>
  bodies.get(order) ?? bodies.set(order, callbackBody('ok', order)).get(order) ?? '';
