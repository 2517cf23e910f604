import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AltaPayMerchantApi } from '../../adapters/altapay/merchant-api';
import { decodeFormBody } from '../../shared/altapay/form-body';
import { GatewayError } from '../../shared/errors';
import type { OrderLine, PaymentRequestInput } from '../../shared/ports';
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
    timeoutMs: overrides.timeoutMs ?? 2_000,
  });

const request: PaymentRequestInput = {
  terminal: 'Shop DKK',
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

  it('sends the terminal, addresses, browser, account date and reconciliation id under the names AltaPay SDKs use', async () => {
    await client().createPaymentRequest({
      ...request,
      terminal: 'Shop EUR Card',
      currency: 'EUR',
      customer: {
        email: 'anna@example.de',
        shippingFirstName: 'Anna',
        shippingLastName: 'Schmidt',
        shippingAddress: 'Lindenstraße 4',
        shippingPostalCode: '10115',
        shippingCity: 'Berlin',
        shippingCountry: 'DE',
        clientIp: '203.0.113.7',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
      },
      customerCreatedDate: '2024-03-15',
      saleReconciliationIdentifier: 'booking-7781',
      orderLines: [
        {
          description: 'Linen towel',
          itemId: 'towel',
          quantity: '2',
          unitPrice: '100.00',
          discount: '10',
          taxAmount: '45.00',
          taxPercent: '25',
          unitCode: 'pcs',
          goodsType: 'physical',
        },
        {
          description: 'Coupon',
          itemId: 'winter',
          quantity: '1',
          unitPrice: '-20.00',
          goodsType: 'discount',
        },
      ],
    });

    const fields = Object.fromEntries(received[0]?.fields ?? []);
    expect(fields).toMatchObject({
      terminal: 'Shop EUR Card',
      currency: '978',
      'customer_info[email]': 'anna@example.de',
      'customer_info[shipping_firstname]': 'Anna',
      'customer_info[shipping_lastname]': 'Schmidt',
      'customer_info[shipping_address]': 'Lindenstraße 4',
      'customer_info[shipping_postal]': '10115',
      'customer_info[shipping_city]': 'Berlin',
      'customer_info[shipping_country]': 'DE',
      'customer_info[client_ip]': '203.0.113.7',
      'customer_info[client_user_agent]': 'Mozilla/5.0 (X11; Linux x86_64)',
      customer_created_date: '2024-03-15',
      sale_reconciliation_identifier: 'booking-7781',
      'orderLines[0][quantity]': '2',
      'orderLines[0][unitPrice]': '100.00',
      'orderLines[0][discount]': '10',
      'orderLines[0][taxAmount]': '45.00',
      'orderLines[0][taxPercent]': '25',
      'orderLines[0][unitCode]': 'pcs',
      'orderLines[0][goodsType]': 'physical',
      'orderLines[1][unitPrice]': '-20.00',
      'orderLines[1][goodsType]': 'discount',
    });
    // Our own names never reach the gateway.
    expect(
      Object.keys(fields).filter((key) => /shippingCity|clientIp|userAgent|createdDate/.test(key)),
    ).toEqual([]);
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

describe('the money-moving calls and order lookups', () => {
  const lines: OrderLine[] = [
    { description: 'Mug', itemId: 'MUG-1', quantity: '1', unitPrice: '49.00', taxPercent: '25' },
    { description: 'Shipping', itemId: 'SHIP', quantity: '1', unitPrice: '10.00', goodsType: 'shipment' },
  ];
  const fieldsOf = (i = 0) => Object.fromEntries(received[i]?.fields ?? []);

  it('captures part of a reservation with its order lines as bracketed keys', async () => {
    answer = () => ({ status: 200, body: readFixture('api-capture-succeeded.xml') });

    const captured = await client().captureReservation('71240518', '59.00', lines);

    expect(received[0]?.path).toBe('/merchant/API/captureReservation');
    expect(fieldsOf()).toEqual({
      transaction_id: '71240518',
      amount: '59.00',
      'orderLines[0][description]': 'Mug',
      'orderLines[0][itemId]': 'MUG-1',
      'orderLines[0][quantity]': '1',
      'orderLines[0][unitPrice]': '49.00',
      'orderLines[0][taxPercent]': '25',
      'orderLines[1][description]': 'Shipping',
      'orderLines[1][itemId]': 'SHIP',
      'orderLines[1][quantity]': '1',
      'orderLines[1][unitPrice]': '10.00',
      'orderLines[1][goodsType]': 'shipment',
    });
    expect(captured.result).toBe('Success');
  });

  it('refunds with refundCapturedReservation and reads the transaction after the refund', async () => {
    answer = () => ({ status: 200, body: readFixture('api-refund-succeeded.xml') });

    const refunded = await client().refundCapturedReservation('71240518', '49.00', lines.slice(0, 1));

    expect(received[0]?.path).toBe('/merchant/API/refundCapturedReservation');
    expect(fieldsOf()).toMatchObject({
      transaction_id: '71240518',
      amount: '49.00',
      'orderLines[0][itemId]': 'MUG-1',
    });
    expect(fieldsOf()).not.toHaveProperty('orderLines[1][itemId]');
    expect(refunded.result).toBe('Success');
    expect(refunded.transactions).toHaveLength(1);
    expect(refunded.transactions[0]).toMatchObject({ capturedAmount: '249.00', refundedAmount: '49.00' });
  });

  it('releases with the transaction id alone', async () => {
    answer = () => ({ status: 200, body: readFixture('api-release-succeeded.xml') });

    const released = await client().releaseReservation('71209874');

    expect(received[0]?.path).toBe('/merchant/API/releaseReservation');
    expect(fieldsOf()).toEqual({ transaction_id: '71209874' });
    expect(released.result).toBe('Success');
    expect(released.transactions[0]?.transactionStatus).toBe('released');
  });

  it("returns a refusal as an answer with the gateway's reason and the transaction, never as a failure", async () => {
    answer = () => ({ status: 200, body: readFixture('api-capture-refused.xml') });

    const refused = await client().captureReservation('71240518', '249.00');

    expect(refused.result).toBe('Error');
    expect(refused.merchantErrorMessage).toBe('Nothing left to capture: the reservation is already captured');
    expect(refused.transactions[0]).toMatchObject({
      transactionStatus: 'captured',
      capturedAmount: '249.00',
    });
  });

  it("lists an order's transactions by shop_orderid (up to 100), oldest first", async () => {
    answer = () => ({ status: 200, body: readFixture('api-payments-two-transactions.xml') });

    const listed = await client().transactionsOfOrder('SO-2026-10441');

    expect(received[0]?.path).toBe('/merchant/API/payments');
    expect(fieldsOf()).toEqual({ shop_orderid: 'SO-2026-10441', limit: '100' });
    expect(listed.map((t) => [t.transactionId, t.transactionStatus])).toEqual([
      ['71203301', 'preauth_failed'],
      ['71203345', 'preauth'],
    ]);
  });

  it('lists nothing for an order the gateway does not know', async () => {
    answer = () => ({ status: 200, body: readFixture('api-payments-none-found.xml') });

    expect(await client().transactionsOfOrder('no-such-order')).toEqual([]);
  });

  it.each([
    [
      'captureReservation',
      (api: AltaPayMerchantApi) => api.captureReservation('71240518', '10.00'),
      'captured',
    ],
    [
      'refundCapturedReservation',
      (api: AltaPayMerchantApi) => api.refundCapturedReservation('71240518', '10.00'),
      'refunded',
    ],
    ['releaseReservation', (api: AltaPayMerchantApi) => api.releaseReservation('71240518'), 'released'],
  ])('a %s without an answer is a timeout whose outcome is unknown, sent once', async (_, call, verb) => {
    answer = () => 'hang';

    const failure = call(client({ timeoutMs: 200 }));

    await expect(failure).rejects.toMatchObject({
      reason: 'timeout',
      outcomeUnknown: true,
      message: expect.stringContaining(`may have been ${verb}: look the transaction up`),
    });
    expect(received).toHaveLength(1);
  });

  it('a 5xx to a refund leaves its outcome unknown; a 5xx to a lookup does not', async () => {
    answer = () => ({ status: 502, body: '<html>bad gateway</html>' });

    await expect(client().refundCapturedReservation('71240518', '10.00')).rejects.toMatchObject({
      reason: 'http_error',
      outcomeUnknown: true,
    });
    await expect(client().transactionsOfOrder('SO-1')).rejects.toMatchObject({
      reason: 'http_error',
      outcomeUnknown: false,
    });
  });

  it('a timed-out lookup is a plain timeout: looking again is always safe', async () => {
    answer = () => 'hang';

    await expect(client({ timeoutMs: 200 }).transactionsOfOrder('SO-1')).rejects.toMatchObject({
      reason: 'timeout',
      outcomeUnknown: false,
    });
  });

  it('a capture that could not connect did not happen: unreachable, outcome known, with the cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const failure = client({ baseUrl: new URL(`http://127.0.0.1:${port}/`) }).captureReservation('1', '1.00');

    await expect(failure).rejects.toMatchObject({
      reason: 'unreachable',
      outcomeUnknown: false,
      message: 'AltaPay could not be reached for captureReservation: connection refused (ECONNREFUSED).',
    });
  });
});
