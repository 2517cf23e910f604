import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventSource, MerchantEventBus } from '../../adapters/eventbridge/merchant-event-bus';
import { DependencyError } from '../../shared/errors';
import type { MerchantEvent } from '../../shared/ports';

/**
 * The EventBridge adapter through the real AWS SDK client, against an HTTP server that answers
 * PutEvents as the service does (AWS JSON 1.1). There is no EventBridge emulator; what matters here is
 * what the SDK sends and how the adapter reads a refusal, which this shows byte for byte.
 */
let server: Server;
let endpoint: string;
const received: { target: string | undefined; body: Record<string, unknown> }[] = [];
let answer: { status: number; body: unknown } = {
  status: 200,
  body: { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] },
};

beforeAll(async () => {
  server = createServer(async (request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    received.push({
      target: request.headers['x-amz-target'] as string | undefined,
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
    });
    response.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const client = (url = endpoint) =>
  new EventBridgeClient({
    endpoint: url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
const event: MerchantEvent = {
  eventId: 'evt_0123456789abcdef0123456789abcdef',
  type: 'payment.reserved',
  body: '{"id":"evt_0123456789abcdef0123456789abcdef","type":"payment.reserved","data":{"shopOrderId":"1001"}}',
};

describe('MerchantEventBus', () => {
  it('puts the event on the bus: source altapay.payments, the event type as detail-type, the exact body as detail', async () => {
    answer = { status: 200, body: { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] } };
    received.length = 0;

    const status = await new MerchantEventBus(client(), 'shop-payments').deliver(event);

    expect(status).toBe(202);
    expect(received).toEqual([
      {
        target: 'AWSEvents.PutEvents',
        body: {
          Entries: [
            {
              EventBusName: 'shop-payments',
              Source: eventSource,
              DetailType: 'payment.reserved',
              Detail: event.body,
            },
          ],
        },
      },
    ]);
  });

  it('reads a refused entry inside a 200 as a failure naming the reason, so the worker tries again', async () => {
    answer = {
      status: 200,
      body: {
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }],
      },
    };

    const delivery = new MerchantEventBus(client(), 'default').deliver(event);

    await expect(delivery).rejects.toThrow(DependencyError);
    await expect(delivery).rejects.toThrow(
      'EventBridge refused payment.reserved: ThrottlingException (Rate exceeded)',
    );
  });

  it('turns a bus it cannot reach into a DependencyError with the cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    await expect(new MerchantEventBus(client(url), 'default').deliver(event)).rejects.toThrow(
      /^EventBridge did not take payment\.reserved: .*ECONNREFUSED/,
    );
  });
});
