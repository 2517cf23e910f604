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
}

interface StackInfo {
  apiUrl: string;
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  tableName: string;
  queueUrl: string;
}

async function startStack(): Promise<{ child: ChildProcess; info: StackInfo }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/load-stack.ts'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ALTAPAY_CALLBACK_SECRET: '' },
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    if (line.startsWith('{')) return { child, info: JSON.parse(line) as StackInfo };
  }
  throw new Error('the load stack did not start');
}

/**
 * Many concurrent clients posting ok callbacks to the local stack for `seconds`: unique orders plus
 * 10 % duplicates of orders already sent. Afterwards every order answered 2xx must be stored (its
 * payment is in the table) and queued (exactly one work message), duplicates adding nothing.
 */
export async function benchLoad(connections: number, seconds: number): Promise<LoadFigures> {
  const { child, info } = await startStack();
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
              body: bodies.get(order) ?? bodies.set(order, callbackBody('ok', order)).get(order),
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
        endpoint: info.dynamodbEndpoint,
        credentials: fakeCredentials,
      }),
    );
    const orders = [...acknowledged];
    let stored = 0;
    for (let i = 0; i < orders.length; i += 100) {
      const keys = orders.slice(i, i + 100).map((shopOrderId) => ({ shopOrderId, recordKey: 'payment' }));
      let request: Record<string, { Keys: Record<string, string>[] }> | undefined = {
        [info.tableName]: { Keys: keys },
      };
      while (request && Object.keys(request).length > 0) {
        const answer = await documents.send(new BatchGetCommand({ RequestItems: request }));
        stored += answer.Responses?.[info.tableName]?.length ?? 0;
        request = answer.UnprocessedKeys as typeof request;
      }
    }
    const messages = (await receiveAll(info.sqsEndpoint, info.queueUrl)).map(
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
    };
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

const bodies = new Map<string, string>();
