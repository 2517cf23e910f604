import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GatewaySimulator, startGatewaySimulator } from '../../local/altapay-simulator/index';
import { parseApiResponse } from '../../shared/altapay/api-response';
import { checksumMatches } from '../../shared/altapay/checksum';
import { decodeFormBody } from '../../shared/altapay/form-body';
import { transactionPhase } from '../../shared/payments/transaction-phase';

const credentials = { username: 'shop-api', password: 'test-password' };
const terminal = 'AltaPay Test Terminal';
const secret = 'terminal-secret';

/** What the merchant stand-in received: the callback path and its form fields. */
const received: { path: string; fields: ReadonlyMap<string, string> }[] = [];
let shop: Server;
let shopUrl = '';
let simulator: GatewaySimulator;

beforeAll(async () => {
  shop = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, fields: decodeFormBody(Buffer.concat(chunks)) });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(path === '/verify' ? 'OKAY' : `<p>${path}</p>`);
    });
  });
  await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
  const address = shop.address();
  shopUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  simulator = await startGatewaySimulator({ port: 0, credentials, callbackSecret: secret });
});

afterAll(async () => {
  await simulator.stop();
  await new Promise<void>((resolve) => {
    shop.close(() => resolve());
    shop.closeAllConnections();
  });
});

beforeEach(() => {
  received.length = 0;
});

/** createPaymentRequest over the Merchant API, with every callback pointed at the shop; resolves with its id. */
async function createPaymentRequest(
  shopOrderId: string,
  type = 'payment',
  amount = '100.00',
): Promise<string> {
  const response = await fetch(`${simulator.url}/merchant/API/createPaymentRequest`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      terminal,
      shop_orderid: shopOrderId,
      amount,
      currency: 'DKK',
      type,
      'config[callback_ok]': `${shopUrl}/ok`,
      'config[callback_fail]': `${shopUrl}/fail`,
      'config[callback_notification]': `${shopUrl}/notification`,
      'config[callback_verify_order]': `${shopUrl}/verify`,
    }).toString(),
  });
  const id = /<PaymentRequestId>([^<]+)<\/PaymentRequestId>/.exec(await response.text())?.[1];
  if (id === undefined) throw new Error(`createPaymentRequest ${shopOrderId} failed`);
  return id;
}

async function control(
  path: string,
  body?: unknown,
  method = body === undefined ? 'GET' : 'POST',
): Promise<{ status: number; contentType: string; json: Record<string, unknown> }> {
  const response = await fetch(`${simulator.url}/control/${path}`, {
    method,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    json: (await response.json()) as Record<string, unknown>,
  };
}

/** The posted callback's `xml`, read as our callback handler reads it. */
function xmlOf(fields: ReadonlyMap<string, string> | undefined) {
  return parseApiResponse(fields?.get('xml') ?? '');
}

describe('control API: actions on known payments', () => {
  it("pays an order's newest payment request as the customer's click does, delivering verify_order and callback_ok", async () => {
    await createPaymentRequest('ca-pay');

    const answer = await control('orders/ca-pay/pay', {});

    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('application/json; charset=utf-8');
    const transactionId = simulator.transactions('ca-pay')[0]?.transactionId;
    expect(answer.json).toEqual({
      transactionId,
      status: 'preauth',
      callback: { type: 'ok', status: 200 },
      customer: { status: 200 },
    });
    expect(received.map((r) => r.path)).toEqual(['/verify', '/ok']);
    expect(received[1]?.fields.get('transaction_id')).toBe(transactionId);
  });

  it('declines it with the callback_fail a declined card gets', async () => {
    await createPaymentRequest('ca-decline');

    const answer = await control('orders/ca-decline/decline', {});

    expect(answer.json).toMatchObject({ status: 'preauth_error', callback: { type: 'fail', status: 200 } });
    expect(xmlOf(received.at(-1)?.fields)).toMatchObject({ result: 'Failed' });
  });

  it('refuses to pay a payment request that is already paid (409)', async () => {
    await createPaymentRequest('ca-twice');
    await control('orders/ca-twice/pay', {});

    const again = await control('orders/ca-twice/pay', {});

    expect(again.status).toBe(409);
    expect(again.json.error).toMatch(
      /^The newest payment request of order ca-twice \(.+\) is already completed/,
    );
  });

  it('refunds captured money on the gateway side and posts a callback_notification with the refunded transaction', async () => {
    await createPaymentRequest('ca-refund', 'paymentAndCapture', '100.00');
    await control('orders/ca-refund/pay', {});
    received.length = 0;

    const answer = await control('orders/ca-refund/refund', { amount: '40.00' });

    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      status: 'refunded',
      callback: { type: 'notification', status: 200 },
    });
    expect(received.map((r) => r.path)).toEqual(['/notification']);
    const fields = received[0]?.fields;
    expect(fields?.get('status')).toBe('succeeded');
    expect(fields?.get('payment_status')).toBe('refunded');
    const [transaction] = xmlOf(fields).transactions;
    expect(transaction).toMatchObject({ capturedAmount: '100.00', refundedAmount: '40.00' });
    expect(simulator.transactions('ca-refund')[0]).toMatchObject({ refundedAmount: '40.00' });
    // The merchant did not ask for it: not among the operations the merchant sent.
    expect(simulator.operations('ca-refund')).toEqual([]);
  });

  it('refuses a refund of more than was captured with the gateway’s own words (409)', async () => {
    await createPaymentRequest('ca-over', 'paymentAndCapture', '10.00');
    await control('orders/ca-over/pay', {});

    const answer = await control('orders/ca-over/refund', { amount: '10.01' });

    expect(answer.status).toBe(409);
    expect(answer.json.error).toBe(
      'The refund amount 10.01 is greater than the captured amount not yet refunded 10.00',
    );
  });

  it('refuses to refund a payment that is only reserved (409)', async () => {
    await createPaymentRequest('ca-reserved');
    await control('orders/ca-reserved/pay', {});

    const answer = await control('orders/ca-reserved/refund', {});

    expect(answer.status).toBe(409);
    expect(answer.json.error).toMatch(
      /^Nothing was captured on order ca-reserved \(transaction \d+ is preauth\)/,
    );
  });

  it('charges back a captured payment: a signed ChargebackEvent notification whose transaction reads as a chargeback', async () => {
    await createPaymentRequest('ca-chargeback', 'paymentAndCapture', '75.50');
    await control('orders/ca-chargeback/pay', {});
    received.length = 0;

    const answer = await control('orders/ca-chargeback/chargeback', {});

    expect(answer.json).toMatchObject({
      status: 'captured',
      callback: { type: 'notification', status: 200 },
    });
    const fields = received[0]?.fields ?? new Map<string, string>();
    expect(fields.get('status')).toBe('ChargebackEvent');
    const { amount = '', currency = '', shop_orderid = '', checksum = '' } = Object.fromEntries(fields);
    expect(checksumMatches({ amount, currency, shop_orderid }, checksum, [secret])).toBe(true);
    const document = xmlOf(fields);
    expect(document.result).toBe('ChargebackEvent');
    const [transaction] = document.transactions;
    expect(transaction?.chargebacks).toEqual([
      expect.objectContaining({ type: 'Chargeback', amount: '75.50', currency: 'DKK' }),
    ]);
    expect(transaction && transactionPhase(transaction, { callbackType: 'notification' })).toBe('chargeback');
    // The gateway's lookup tells the same.
    const lookup = await fetch(`${simulator.url}/merchant/API/payments?shop_orderid=ca-chargeback`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`,
      },
    });
    expect(parseApiResponse(await lookup.text()).transactions[0]?.chargebacks).toHaveLength(1);
  });

  it("shows an order's payment requests and transactions", async () => {
    const id = await createPaymentRequest('ca-view', 'paymentAndCapture', '12.50');
    await control('orders/ca-view/pay', {});

    const view = await control('orders/ca-view');

    expect(view.status).toBe(200);
    const { transactionId, paymentId } = simulator.transactions('ca-view')[0] ?? {};
    expect(view.json).toEqual({
      shopOrderId: 'ca-view',
      paymentRequests: [
        {
          id,
          type: 'paymentAndCapture',
          amount: '12.50',
          currency: 'DKK',
          state: 'completed',
          transactionIds: [transactionId],
        },
      ],
      transactions: [
        {
          transactionId,
          paymentId,
          authType: 'paymentAndCapture',
          status: 'captured',
          currency: 'DKK',
          reservedAmount: '12.50',
          capturedAmount: '12.50',
          refundedAmount: '0.00',
          chargebacks: 0,
        },
      ],
    });
  });

  it('pays a payment request by id as the payment page does, answering what the customer got', async () => {
    const id = await createPaymentRequest('ca-pid');

    const answer = await control(`payments/${id}/pay`, { outcome: 'success' });

    expect(answer).toMatchObject({ status: 200, json: { status: 200 } });
    expect(simulator.transactions('ca-pid')[0]?.transactionStatus).toBe('preauth');
  });

  it.each([
    ['orders/nobody/pay', {}, 'POST', 404, 'The simulator knows no payment for order nobody'],
    ['orders/nobody', undefined, 'GET', 404, 'The simulator knows no payment for order nobody'],
    [
      'payments/no-such-id/pay',
      { outcome: 'success' },
      'POST',
      404,
      'The simulator knows no payment request no-such-id',
    ],
    [
      'payments/any/pay',
      { outcome: 'maybe' },
      'POST',
      400,
      'Field outcome must be one of success, success-unheard, decline, 3ds-failure, cancel, open-success, open-failure',
    ],
    [
      'orders/o/refund',
      '{"amount": 12}',
      'POST',
      400,
      'Field amount must be a string such as "12.50" (digits, a dot, decimals)',
    ],
    [
      'orders/o/refund',
      'not json',
      'POST',
      400,
      'The body must be a JSON object such as {"amount": "12.50"}',
    ],
    ['orders/o/pay', undefined, 'GET', 405, 'Use POST here'],
    [
      'orders/o/steal',
      {},
      'POST',
      404,
      "No action 'steal': POST /control/orders/{shopOrderId}/ followed by pay, decline, refund, chargeback",
    ],
  ] as const)('answers %s (%s) with %i and a plain error', async (path, body, method, status, error) => {
    const answer = await control(path, body, method);

    expect(answer.status).toBe(status);
    expect(answer.contentType).toBe('application/json; charset=utf-8');
    expect(answer.json).toEqual({ error });
  });
});
