import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AltaPayMerchantApi } from '../../adapters/altapay/merchant-api';
import { decodeFormBody } from '../../shared/altapay/form-body';
import { GatewayError } from '../../shared/errors';
import type { PaymentRequestInput } from '../../shared/ports';
import { readFixture } from '../support/gateway';

/** A stand-in gateway on loopback that answers with documents in AltaPay's format. */
let answer: (request: IncomingMessage) => { status: number; body: string } | 'hang';
const received: { path: string; authorization: string; fields: Map<string, string> }[] = [];
let server: Server;
let baseUrl: URL;

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        path: request.url ?? '',
        authorization: request.headers.authorization ?? '',
        fields: new Map(decodeFormBody(Buffer.concat(chunks))),
      });
      const reply = answer(request);
      if (reply === 'hang') return;
      response.writeHead(reply.status, { 'content-type': 'application/xml' }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received.length = 0;
  answer = () => ({ status: 200, body: readFixture('api-payment-request-created.xml') });
});

const client = (overrides: { baseUrl?: URL; timeoutMs?: number } = {}) =>
  new AltaPayMerchantApi({
    baseUrl: overrides.baseUrl ?? baseUrl,
    username: 'shop-api',
    password: 'pa:ss',
    terminal: 'Shop DKK',
    timeoutMs: overrides.timeoutMs ?? 2_000,
  });

const request: PaymentRequestInput = {
  shopOrderId: 'order-42',
  amount: '123.45',
  currency: 'DKK',
  language: 'da',
  type: 'payment',
  callbacks: {
    ok: 'https://api.example/v1/callbacks/ok',
    fail: 'https://api.example/v1/callbacks/fail',
    open: 'https://api.example/v1/callbacks/open',
    notification: 'https://api.example/v1/callbacks/notification',
    verifyOrder: 'https://api.example/v1/callbacks/verify-order',
  },
  customer: { email: 'jens@example.dk', firstName: 'Jens' },
  orderLines: [{ description: 'Mug', itemId: 'MUG-1', quantity: '2', unitPrice: '61.72' }],
};

describe('the AltaPay Merchant API client', () => {
  it('posts createPaymentRequest with Basic auth and bracketed keys, and reads the trimmed Url', async () => {
    const created = await client().createPaymentRequest(request);

    expect(created.url).toBe(
      'https://testgateway.altapaysecure.com/eCommerce/API/requestForm?pid=7b2e9f14-3c6a-4d85-b1e0-94a6c3d2f857',
    );
    expect(created.paymentRequestId).toMatch(/^\S+$/);
    const [call] = received;
    expect(call?.path).toBe('/merchant/API/createPaymentRequest');
    expect(call?.authorization).toBe(`Basic ${Buffer.from('shop-api:pa:ss').toString('base64')}`);
    expect(Object.fromEntries(call?.fields ?? [])).toMatchObject({
      terminal: 'Shop DKK',
      shop_orderid: 'order-42',
      amount: '123.45',
      currency: '208',
      language: 'da',
      type: 'payment',
      'config[callback_ok]': 'https://api.example/v1/callbacks/ok',
      'config[callback_verify_order]': 'https://api.example/v1/callbacks/verify-order',
      'customer_info[email]': 'jens@example.dk',
      'customer_info[billing_firstname]': 'Jens',
      'orderLines[0][itemId]': 'MUG-1',
      'orderLines[0][unitPrice]': '61.72',
    });
  });

  it('keeps a base URL path (the gateway may sit under a prefix)', async () => {
    await client({ baseUrl: new URL('prefix', baseUrl) }).createPaymentRequest(request);

    expect(received[0]?.path).toBe('/prefix/merchant/API/createPaymentRequest');
  });

  it.each([
    [
      'a header error without a Body',
      'api-header-error.xml',
      'rejected',
      /error 31: Terminal not found: Shop DKK/,
    ],
    ['a header error with an empty Body', 'api-header-error-empty-body.xml', 'rejected', /error 10000015/],
    [
      'Result=Error',
      'callback-error-without-transactions.xml',
      'rejected',
      /refused the payment request: Error/,
    ],
  ])('turns %s into a GatewayError that names it', async (_, fixture, reason, message) => {
    answer = () => ({ status: 200, body: readFixture(fixture) });

    const failure = client().createPaymentRequest(request);

    await expect(failure).rejects.toBeInstanceOf(GatewayError);
    await expect(failure).rejects.toMatchObject({ reason, message: expect.stringMatching(message) });
  });

  it('reports refused credentials (401) as such', async () => {
    answer = () => ({ status: 401, body: 'Unauthorized' });

    await expect(client().createPaymentRequest(request)).rejects.toMatchObject({ reason: 'unauthorized' });
  });

  it('reports an answer that is not an APIResponse', async () => {
    answer = () => ({ status: 200, body: '<html>maintenance</html>' });

    await expect(client().createPaymentRequest(request)).rejects.toMatchObject({ reason: 'bad_answer' });
  });

  it('gives up after its timeout and does not retry a request that may have arrived', async () => {
    answer = () => 'hang';

    await expect(client({ timeoutMs: 200 }).createPaymentRequest(request)).rejects.toMatchObject({
      reason: 'timeout',
    });
    expect(received).toHaveLength(1);
  });

  it('retries once when the gateway refused the connection (nothing was sent), then reports it unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const failure = client({ baseUrl: new URL(`http://127.0.0.1:${port}/`) }).createPaymentRequest(request);

    await expect(failure).rejects.toMatchObject({
      reason: 'unreachable',
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });
});
