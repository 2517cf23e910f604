/**
 * `npm run cost -- --count` runs this: one card payment end to end on the local stack (the shop's
 * POST /payments, the customer paying on the simulator, its callbacks, the worker's message, one status
 * read), counting what the functions send to DynamoDB and SQS through a counting proxy in front of the
 * emulators, and the API requests from the stack's log. The Lambda service's own side of the work
 * queue (receive, delete) does not pass the proxy: `sqsEventSourceRequests` adds it.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { httpRoutes } from '../functions/routes';
import { fakeCredentials, localRegion } from '../local/emulators';
import { startLocalStack } from '../local/stack';
import { signedJsonRequest } from '../test/support/signed-order';
import { dynamodbItemBytes } from './cost-model';

export interface CountedPayment {
  /** Every request a function made, by its `X-Amz-Target` (`DynamoDB_20120810.GetItem`, `AmazonSQS.SendMessage`). */
  readonly awsRequests: Readonly<Record<string, number>>;
  /** Our API's requests, as the stack logged them (`POST /payments`). */
  readonly apiRequests: readonly string[];
  /** Lambda invocations by function: one per API request by its route, one per work message for the worker. */
  readonly invocations: Readonly<Record<string, number>>;
  /** The order's items afterwards, by `recordKey` kind (`payment`, `work`), in bytes as DynamoDB bills them. */
  readonly itemBytes: Readonly<Record<string, number>>;
}

/** The function behind each logged API request (`POST /payments -> 201 (…)`), by the route table. */
function invocationsOf(apiRequests: readonly string[], workMessages: number): Record<string, number> {
  const invocations: Record<string, number> = {};
  for (const line of apiRequests) {
    const [method, path] = line.split(' ');
    const route = httpRoutes.find(
      (r) => r.method === method && new RegExp(`^${r.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path ?? ''),
    );
    if (route === undefined) throw new Error(`No route in functions/routes.ts serves ${line}`);
    invocations[route.lambda] = (invocations[route.lambda] ?? 0) + 1;
  }
  // The event source invokes the worker with each message it receives (batches of one at this rate).
  if (workMessages > 0) invocations['payment-worker'] = workMessages;
  return invocations;
}

/** A proxy to `target` that counts each request's `X-Amz-Target`. */
async function countingProxy(
  target: string,
  counts: Map<string, number>,
): Promise<{ url: string; server: Server }> {
  const to = new URL(target);
  const server = createServer((req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? `${req.method} ${req.url}`);
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
    const forward = httpRequest(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Waits for `condition`, polling, failing after `ms`. */
async function until(condition: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function countOnePayment(): Promise<CountedPayment> {
  const counts = new Map<string, number>();
  const servers: Server[] = [];
  const log: string[] = [];
  const stack = await startLocalStack({
    apiPort: 0,
    simulatorPort: 0,
    notificationDelayMs: 600_000,
    // The sweeper and the reconciler would add their own reads (a fixed cost, not a payment's).
    scheduleIntervalMs: 3_600_000,
    log: (line) => log.push(line),
    handlerEndpoints: async ({ dynamodbEndpoint, sqsEndpoint }) => {
      const dynamodb = await countingProxy(dynamodbEndpoint, counts);
      const sqs = await countingProxy(sqsEndpoint, counts);
      servers.push(dynamodb.server, sqs.server);
      return { dynamodbEndpoint: dynamodb.url, sqsEndpoint: sqs.url };
    },
  });
  try {
    const shopOrderId = `cost-${Date.now()}`;
    const created = await fetch(
      `${stack.apiUrl}/payments`,
      signedJsonRequest({ shopOrderId, amount: '249.00', currency: 'DKK' }, stack.shopOrderKey),
    );
    if (created.status !== 201)
      throw new Error(`POST /payments answered ${created.status}: ${await created.text()}`);
    const paid = await fetch(`${stack.simulator.url}/control/orders/${shopOrderId}/pay`, { method: 'POST' });
    if (!paid.ok) throw new Error(`The simulator's pay answered ${paid.status}: ${await paid.text()}`);
    await until(() => stack.merchant.accepted().length > 0, 30_000, 'the merchant event');
    // The worker's last writes follow the event's delivery: wait until the counts stop moving.
    let last = -1;
    await until(
      () => {
        const now = [...counts.values()].reduce((a, b) => a + b, 0);
        const still = now === last;
        last = now;
        return still;
      },
      10_000,
      'the worker to finish',
    );
    const status = await fetch(`${stack.apiUrl}/payments/${shopOrderId}`);
    await status.text();
    const awsRequests: Record<string, number> = Object.fromEntries([...counts.entries()].sort());
    const apiRequests = log.filter((line) => /^(GET|POST) \//.test(line));
    // Read past the proxy: the table as the emulator holds it.
    const documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        region: localRegion,
        endpoint: stack.dynamodbEndpoint,
        credentials: fakeCredentials,
      }),
    );
    const { Items = [] } = await documents.send(
      new QueryCommand({
        TableName: stack.tableName,
        KeyConditionExpression: 'shopOrderId = :id',
        ExpressionAttributeValues: { ':id': shopOrderId },
      }),
    );
    const itemBytes: Record<string, number> = {};
    for (const item of Items) {
      const kind = String(item.recordKey).split('#')[0] ?? 'unknown';
      itemBytes[kind] = Math.max(itemBytes[kind] ?? 0, dynamodbItemBytes(item));
    }
    return {
      awsRequests,
      apiRequests,
      invocations: invocationsOf(apiRequests, awsRequests['AmazonSQS.SendMessage'] ?? 0),
      itemBytes,
    };
  } finally {
    await stack.stop();
    for (const server of servers) server.close();
  }
}

if (process.argv[1]?.endsWith('count-requests.ts')) {
  console.log(JSON.stringify(await countOnePayment(), null, 2));
}
