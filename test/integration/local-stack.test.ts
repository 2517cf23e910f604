import { request } from 'node:http';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpRoutes, type LambdaName, lambdas } from '../../functions/routes';
import { type ApiServer, type Handler, startApiServer } from '../../local/api-gateway-server';
import {
  createPaymentsTable,
  createWorkQueues,
  fakeCredentials,
  localRegion,
  startEmulators,
} from '../../local/emulators';
import { startEmulatorsInChildProcess } from '../../local/emulators-process';
import { receiveAll, useEmulators } from '../support/emulators';

interface Echo {
  lambda: LambdaName;
  event: APIGatewayProxyEvent;
  context: { functionName: string; memoryLimitInMB: string; awsRequestId: string; remainingMs: number };
}

const invocations: LambdaName[] = [];
const loads: LambdaName[] = [];
const errors: string[] = [];

/** Echoes what it was called with; the `x-stub` request header makes it misbehave on purpose. */
function stubHandler(lambda: LambdaName): Handler {
  return async (event: APIGatewayProxyEvent, context: Context) => {
    invocations.push(lambda);
    const mode = event.headers['x-stub'];
    if (mode === 'throw') throw new Error('stub failed\non purpose');
    if (mode === 'malformed') {
      // Deliberately outside the type, as a buggy handler's untyped result would be.
      return { statusCode: 200, body: { not: 'a string' } } as unknown as APIGatewayProxyResult;
    }
    if (mode === 'binary') {
      return {
        statusCode: 201,
        headers: { 'content-type': 'image/png' },
        body: 'AP/+',
        isBase64Encoded: true,
      };
    }
    if (mode === 'headers') {
      return {
        statusCode: 200,
        headers: { 'x-one': 'single', 'x-both': 'same' },
        multiValueHeaders: { 'set-cookie': ['a=1', 'b=2'], 'x-both': ['same', 'other'] },
        body: '',
      };
    }
    const echo: Echo = {
      lambda,
      event,
      context: {
        functionName: context.functionName,
        memoryLimitInMB: context.memoryLimitInMB,
        awsRequestId: context.awsRequestId,
        remainingMs: context.getRemainingTimeInMillis(),
      },
    };
    return { statusCode: 200, body: JSON.stringify(echo) };
  };
}

describe('local API Gateway (REST v1 proxy) driven by the route table', () => {
  let api: ApiServer;

  beforeAll(async () => {
    api = await startApiServer({
      port: 0,
      routes: httpRoutes,
      maxBodyBytes: 1024,
      loadHandler: async (lambda) => {
        loads.push(lambda);
        return stubHandler(lambda);
      },
      onError: (line) => errors.push(line),
    });
  });

  afterAll(async () => {
    await api.close();
  });

  beforeEach(() => {
    invocations.length = 0;
    errors.length = 0;
  });

  const echoOf = async (response: Response): Promise<Echo> => {
    expect(response.status).toBe(200);
    return (await response.json()) as Echo;
  };

  it('routes a POST to its Lambda with the exact body bytes, base64-encoded', async () => {
    const bytes = Buffer.from([0x61, 0x3d, 0xff, 0xfe, 0x26, 0x00]);
    const response = await fetch(`${api.url}/callbacks/ok`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'gateway-test' },
      body: bytes,
    });

    const { lambda, event, context } = await echoOf(response);
    expect(lambda).toBe('callback-ok');
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(bytes);
    expect(event).toMatchObject({
      resource: '/callbacks/ok',
      path: '/callbacks/ok',
      httpMethod: 'POST',
      pathParameters: null,
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      stageVariables: null,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      requestContext: {
        stage: 'local',
        httpMethod: 'POST',
        resourcePath: '/callbacks/ok',
        identity: { sourceIp: '127.0.0.1', userAgent: 'gateway-test' },
      },
    });
    expect(event.requestContext.requestId).toBe(response.headers.get('x-amzn-requestid'));
    expect(Math.abs(event.requestContext.requestTimeEpoch - Date.now())).toBeLessThan(5_000);
    // As Lambda tells a function its configured memory: the route table's.
    expect(context).toMatchObject({
      functionName: 'callback-ok',
      memoryLimitInMB: String(lambdas['callback-ok'].memoryMb),
    });
    expect(context.remainingMs).toBeGreaterThan(9_000);
    expect(context.remainingMs).toBeLessThanOrEqual(10_000);
  });

  it('passes an empty body as null, not base64', async () => {
    const { event } = await echoOf(await fetch(`${api.url}/callbacks/notification`, { method: 'POST' }));
    expect(event.body).toBeNull();
    expect(event.isBase64Encoded).toBe(false);
  });

  it('fills pathParameters from the template, percent-decoded', async () => {
    const { lambda, event } = await echoOf(await fetch(`${api.url}/payments/order%201`));
    expect(lambda).toBe('payment-status');
    expect(event.resource).toBe('/payments/{shopOrderId}');
    expect(event.path).toBe('/payments/order%201');
    expect(event.pathParameters).toEqual({ shopOrderId: 'order 1' });
  });

  it('answers 400 for a malformed percent-escape in a path parameter', async () => {
    const response = await fetch(`${api.url}/payments/order%E0%A4%A`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(invocations).toEqual([]);
  });

  it('passes query strings and repeated headers in both single- and multi-value form', async () => {
    const { status, body } = await rawRequest(
      `${api.url}/payments/42?expand=events&expand=transactions&x=a%20b`,
      {
        'x-multi': ['one', 'two'],
      },
    );
    expect(status).toBe(200);
    const { event } = JSON.parse(body) as Echo;
    expect(event.queryStringParameters).toEqual({ expand: 'transactions', x: 'a b' });
    expect(event.multiValueQueryStringParameters).toEqual({ expand: ['events', 'transactions'], x: ['a b'] });
    expect(event.headers['x-multi']).toBe('two');
    expect(event.multiValueHeaders['x-multi']).toEqual(['one', 'two']);
    expect(event.headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('answers 404 for a path not in the route table', async () => {
    for (const path of ['/nope', '/payment', '/callbacks', '/callbacks/ok/extra']) {
      const response = await fetch(`${api.url}${path}`, { method: 'POST' });
      expect(response.status, path).toBe(404);
      expect(await response.json()).toEqual({ message: 'Not Found' });
    }
    expect(invocations).toEqual([]);
  });

  it('answers 405 with Allow for a known path and the wrong method', async () => {
    const response = await fetch(`${api.url}/callbacks/ok`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await response.json()).toEqual({ message: 'Method Not Allowed' });
    expect(invocations).toEqual([]);
  });

  it('answers 413 for a body over maxBodyBytes without calling the handler', async () => {
    const declared = await fetch(`${api.url}/callbacks/fail`, { method: 'POST', body: Buffer.alloc(1025) });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ message: 'Request Entity Too Large' });

    // Without Content-Length the limit is enforced while reading.
    const chunks = [Buffer.alloc(600), Buffer.alloc(600)];
    const streamed = await fetch(`${api.url}/callbacks/fail`, {
      method: 'POST',
      body: new ReadableStream({
        pull(controller) {
          const chunk = chunks.shift();
          if (chunk === undefined) controller.close();
          else controller.enqueue(chunk);
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(invocations).toEqual([]);

    const atLimit = await fetch(`${api.url}/callbacks/fail`, { method: 'POST', body: Buffer.alloc(1024) });
    expect(atLimit.status).toBe(200);
  });

  it('answers 502 like API Gateway when the handler throws, and logs one line', async () => {
    const response = await fetch(`${api.url}/callbacks/open`, {
      method: 'POST',
      headers: { 'x-stub': 'throw' },
    });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ message: 'Internal server error' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('callback-open');
    expect(errors[0]).toContain('stub failed on purpose');
    expect(errors[0]).not.toContain('\n');
  });

  it('answers 502 for a malformed proxy result', async () => {
    const response = await fetch(`${api.url}/callbacks/open`, {
      method: 'POST',
      headers: { 'x-stub': 'malformed' },
    });
    expect(response.status).toBe(502);
    expect(errors[0]).toContain('Malformed Lambda proxy response');
  });

  it('writes the result: status, merged headers, base64 bodies decoded', async () => {
    const binary = await fetch(`${api.url}/payments/1`, { headers: { 'x-stub': 'binary' } });
    expect(binary.status).toBe(201);
    expect(binary.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await binary.arrayBuffer())).toEqual(Buffer.from([0x00, 0xff, 0xfe]));

    const merged = await fetch(`${api.url}/payments/1`, { headers: { 'x-stub': 'headers' } });
    expect(merged.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(merged.headers.get('x-one')).toBe('single');
    expect(merged.headers.get('x-both')).toBe('same, other');
    expect(merged.headers.get('content-type')).toBe('application/json');
  });

  it('loads each Lambda once and keeps it warm', async () => {
    await fetch(`${api.url}/payments/a`);
    await fetch(`${api.url}/payments/b`);
    expect(loads.filter((lambda) => lambda === 'payment-status')).toHaveLength(1);
  });
});

describe('emulators', () => {
  const stack = useEmulators();

  it('creates the payments table with its key schema and both GSIs', async () => {
    const client = new DynamoDBClient({
      region: localRegion,
      endpoint: stack.dynamodbEndpoint,
      credentials: fakeCredentials,
    });
    const { Table } = await client.send(new DescribeTableCommand({ TableName: stack.tableName }));
    client.destroy();

    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'shopOrderId', KeyType: 'HASH' },
      { AttributeName: 'recordKey', KeyType: 'RANGE' },
    ]);
    const indexes = (Table?.GlobalSecondaryIndexes ?? []).map((index) => ({
      name: index.IndexName,
      keys: index.KeySchema?.map((key) => key.AttributeName),
      projection: index.Projection?.ProjectionType,
    }));
    expect(indexes).toEqual(
      expect.arrayContaining([
        { name: 'byStatus', keys: ['status', 'updatedAt'], projection: 'ALL' },
        { name: 'pendingWork', keys: ['workPending', 'workPendingSince'], projection: 'ALL' },
      ]),
    );
    expect(indexes).toHaveLength(2);
  });

  it('creates the work queue with a redrive policy to its DLQ', async () => {
    const client = new SQSClient({
      region: localRegion,
      endpoint: stack.sqsEndpoint,
      credentials: fakeCredentials,
    });
    const queue = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: stack.queueUrl, AttributeNames: ['All'] }),
    );
    const dlq = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: stack.dlqUrl, AttributeNames: ['All'] }),
    );
    client.destroy();

    expect(stack.dlqUrl).toMatch(/-dlq$/);
    expect(queue.Attributes?.VisibilityTimeout).toBe('60');
    expect(JSON.parse(queue.Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: dlq.Attributes?.QueueArn,
      maxReceiveCount: 5,
    });
  });

  it('drains the messages on a queue with receiveAll', async () => {
    const client = new SQSClient({
      region: localRegion,
      endpoint: stack.sqsEndpoint,
      credentials: fakeCredentials,
    });
    await client.send(new SendMessageCommand({ QueueUrl: stack.queueUrl, MessageBody: '{"work":1}' }));
    await client.send(new SendMessageCommand({ QueueUrl: stack.queueUrl, MessageBody: '{"work":2}' }));
    client.destroy();

    expect((await receiveAll(stack.sqsEndpoint, stack.queueUrl)).sort()).toEqual([
      '{"work":1}',
      '{"work":2}',
    ]);
    expect(await receiveAll(stack.sqsEndpoint, stack.queueUrl)).toEqual([]);
  });

  it('names the handler environment after the created resources', () => {
    expect(stack.env).toMatchObject({
      PAYMENTS_TABLE_NAME: stack.tableName,
      WORK_QUEUE_URL: stack.queueUrl,
      WORK_DLQ_URL: stack.dlqUrl,
      AWS_ENDPOINT_URL_DYNAMODB: stack.dynamodbEndpoint,
      AWS_ENDPOINT_URL_SQS: stack.sqsEndpoint,
    });
  });

  it('stop() closes both servers', async () => {
    const emulators = await startEmulators();
    await emulators.stop();
    await expect(fetch(emulators.dynamodbEndpoint)).rejects.toThrow();
    await expect(fetch(emulators.sqsEndpoint)).rejects.toThrow();
  });

  it('runs the emulators in a process of their own when asked (the benchmark), and stops it', async () => {
    const emulators = await startEmulatorsInChildProcess();
    try {
      await createPaymentsTable(emulators.dynamodbEndpoint, 'payments-elsewhere');
      const { queueUrl } = await createWorkQueues(emulators.sqsEndpoint, 'work-elsewhere');
      expect(await receiveAll(emulators.sqsEndpoint, queueUrl)).toEqual([]);
    } finally {
      await emulators.stop();
    }
    await expect(fetch(emulators.dynamodbEndpoint)).rejects.toThrow();
    await expect(fetch(emulators.sqsEndpoint)).rejects.toThrow();
  });
});

/** fetch folds repeated headers into one line; node:http can send them as separate lines. */
function rawRequest(
  url: string,
  headers: Record<string, string[]>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
