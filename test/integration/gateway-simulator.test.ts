import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type GatewaySimulator,
  type Outcome,
  startGatewaySimulator,
} from '../../local/altapay-simulator/index';
import { parseApiResponse } from '../../shared/altapay/api-response';
import { checksumMatches } from '../../shared/altapay/checksum';
import { decodeFormBody } from '../../shared/altapay/form-body';

const credentials = { username: 'shop-api', password: 'test-password' };
const terminal = 'AltaPay Test Terminal';
const secret = 'terminal-secret';
const notificationDelayMs = 150;
const answerTimeoutMs = 400;

/** What the tiny shop received: one callback POST. */
interface ShopRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly fields: ReadonlyMap<string, string>;
}

type ShopAnswer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/** A merchant stand-in: records every POST and answers per path as the test says. */
class Shop {
  readonly requests: ShopRequest[] = [];
  private readonly answers = new Map<string, ShopAnswer>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const path = req.url ?? '/';
        this.requests.push({
          path,
          headers: req.headers,
          body: raw.toString('utf8'),
          fields: decodeFormBody(raw),
        });
        const answer = this.answers.get(path.split('?')[0] ?? path) ?? {
          status: 200,
          body: `<p>${path}</p>`,
        };
        if (answer === 'hang') return;
        res.writeHead(answer.status, { 'content-type': 'text/html; charset=utf-8', ...answer.headers });
        res.end(answer.body ?? '');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  }

  answer(path: string, answer: ShopAnswer): void {
    this.answers.set(path, answer);
  }

  reset(): void {
    this.requests.length = 0;
    this.answers.clear();
  }

  posts(path: string, order: string): ShopRequest[] {
    return this.requests.filter((r) => r.path === path && r.fields.get('shop_orderid') === order);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }
}

const shop = new Shop();
let gateway: GatewaySimulator;
let orderCounter = 0;

function nextOrder(): string {
  orderCounter += 1;
  return `order-${orderCounter}`;
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function callApi(
  method: string,
  params: Record<string, string>,
  /** null sends no Authorization header. */
  authorization: string | null = basic(credentials.username, credentials.password),
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${gateway.url}/merchant/API/${method}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(authorization === null ? {} : { authorization }),
    },
    body: new URLSearchParams(params).toString(),
    ...(signal === undefined ? {} : { signal }),
  });
}

const callbackConfig = () => ({
  'config[callback_ok]': `${shop.url}/ok`,
  'config[callback_fail]': `${shop.url}/fail`,
  'config[callback_open]': `${shop.url}/open`,
  'config[callback_notification]': `${shop.url}/notification`,
});

/** Creates a payment request through the Merchant API and returns its id. */
async function createPayment(order: string, extra: Record<string, string> = {}): Promise<string> {
  const response = await callApi('createPaymentRequest', {
    terminal,
    shop_orderid: order,
    amount: '12.50',
    currency: 'DKK',
    ...callbackConfig(),
    ...extra,
  });
  const parsed = parseApiResponse(await response.text());
  if (parsed.paymentRequestId === undefined)
    throw new Error(`createPaymentRequest failed: ${parsed.merchantErrorMessage}`);
  return parsed.paymentRequestId;
}

/** A single element's text, for Body elements our parser does not model (CaptureAmount, ...). */
function element(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

function fieldsOf(request: ShopRequest | undefined): Record<string, string> {
  if (request === undefined) throw new Error('no callback was received');
  return Object.fromEntries(request.fields);
}

beforeAll(async () => {
  await shop.start();
  gateway = await startGatewaySimulator({
    port: 0,
    credentials,
    callbackSecret: secret,
    notificationDelayMs,
    connectTimeoutMs: answerTimeoutMs,
    answerTimeoutMs,
  });
});

afterAll(async () => {
  await gateway.stop();
  await shop.stop();
});

beforeEach(() => {
  shop.reset();
  gateway.delivery.repeat = 1;
  gateway.delivery.delayMs = 0;
});

describe('Merchant API authentication', () => {
  it('refuses a call without credentials with 401 and a Basic challenge', async () => {
    const response = await callApi('payments', {}, null);

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
  });

  it('refuses wrong credentials with 401', async () => {
    const response = await callApi('payments', {}, basic(credentials.username, 'wrong'));

    expect(response.status).toBe(401);
  });
});

describe('createPaymentRequest', () => {
  it('answers Success with a PaymentRequestId and the payment page Url, readable by our parser', async () => {
    const response = await callApi('createPaymentRequest', {
      terminal,
      shop_orderid: 'create-1',
      amount: '12.50',
      currency: '208',
      ...callbackConfig(),
    });
    const xml = await response.text();
    const parsed = parseApiResponse(xml);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    expect(parsed.header.errorCode).toBe('0');
    expect(parsed.result).toBe('Success');
    expect(parsed.paymentRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(parsed.url).toBe(`${gateway.url}/eCommerce/API/requestForm?pid=${parsed.paymentRequestId}`);
    expect(element(xml, 'DynamicJavascriptUrl')).toContain(`pid=${parsed.paymentRequestId}`);
  });

  it('serves a payment page with one button per outcome for the Url it returned', async () => {
    const pid = await createPayment('page-1');

    const response = await fetch(`${gateway.url}/eCommerce/API/requestForm?pid=${pid}`);
    const page = await response.text();

    expect(response.status).toBe(200);
    expect(page).toContain('AltaPay test gateway');
    expect(page).toContain('page-1');
    expect(page).toContain('12.50 DKK');
    expect(page).toContain(`action="/eCommerce/API/pay?pid=${pid}"`);
    for (const outcome of [
      'success',
      'success-unheard',
      'decline',
      '3ds-failure',
      'cancel',
      'open-success',
      'open-failure',
    ]) {
      expect(page).toContain(`data-outcome="${outcome}"`);
    }
    expect(page).not.toMatch(/<script|src=|href="http/i);
  });

  it('answers 404 for an unknown payment request', async () => {
    const response = await fetch(`${gateway.url}/eCommerce/API/requestForm?pid=nope`);

    expect(response.status).toBe(404);
  });

  it.each([
    ['a missing terminal', { terminal: '' }, /terminal/],
    ['an unknown terminal', { terminal: 'Other Terminal' }, /Unknown terminal/],
    ['a missing shop_orderid', { shop_orderid: '' }, /shop_orderid/],
    ['three decimals', { amount: '12.345' }, /amount/],
    ['a comma decimal', { amount: '12,50' }, /amount/],
    ['a zero amount', { amount: '0.00' }, /greater than 0/],
    ['a negative amount', { amount: '-1' }, /amount/],
    ['decimals the currency lacks', { amount: '100.50', currency: 'JPY' }, /JPY has 0 decimals/],
    ['an unknown currency', { currency: 'XYZ' }, /Unknown currency/],
    ['an unsupported type', { type: 'verifyCard' }, /type/],
    ['a callback that is not a URL', { 'config[callback_ok]': 'not a url' }, /callback_ok/],
  ])('answers Result Error for %s', async (_case, override, message) => {
    const response = await callApi('createPaymentRequest', {
      terminal,
      shop_orderid: 'invalid-1',
      amount: '12.50',
      currency: 'DKK',
      ...override,
    });
    const parsed = parseApiResponse(await response.text());

    expect(response.status).toBe(200);
    expect(parsed.header.errorCode).toBe('0');
    expect(parsed.result).toBe('Error');
    expect(parsed.merchantErrorMessage).toMatch(message);
    expect(parsed.paymentRequestId).toBeUndefined();
  });
});

describe('failNext', () => {
  const params = { terminal, shop_orderid: 'fail-next', amount: '1.00', currency: 'DKK' };

  it('answers a header error with ErrorCode 200 and an empty Body', async () => {
    gateway.failNext('header-error', 'createPaymentRequest');

    const xml = await (await callApi('createPaymentRequest', params)).text();
    const parsed = parseApiResponse(xml);

    expect(parsed.header).toMatchObject({ errorCode: '200', errorMessage: 'This request has error' });
    expect(parsed.result).toBeUndefined();
    expect(xml).toContain('<Body/>');
  });

  it('answers a body error with Result Error and a MerchantErrorMessage', async () => {
    gateway.failNext('result-error');

    const parsed = parseApiResponse(await (await callApi('createPaymentRequest', params)).text());

    expect(parsed.header.errorCode).toBe('0');
    expect(parsed.result).toBe('Error');
    expect(parsed.merchantErrorMessage).toBeTruthy();
  });

  it('answers 401 and then 500, one call each, and the call after that succeeds', async () => {
    gateway.failNext('unauthorized');
    gateway.failNext('http-500');

    const first = await callApi('createPaymentRequest', params);
    const second = await callApi('createPaymentRequest', params);
    const third = await callApi('createPaymentRequest', params);

    expect(first.status).toBe(401);
    expect(second.status).toBe(500);
    expect(await second.text()).toContain('Internal Server Error');
    expect(parseApiResponse(await third.text()).result).toBe('Success');
  });

  it('never answers a timed-out call, so the client gives up', async () => {
    gateway.failNext('timeout');

    const call = callApi(
      'createPaymentRequest',
      params,
      basic(credentials.username, credentials.password),
      AbortSignal.timeout(200),
    );

    await expect(call).rejects.toThrow(/abort|timeout/i);
  });

  it('fails only calls of the named method', async () => {
    gateway.failNext('http-500', 'captureReservation');

    const create = await callApi('createPaymentRequest', params);
    const capture = await callApi('captureReservation', { transaction_id: '1' });

    expect(create.status).toBe(200);
    expect(capture.status).toBe(500);
  });
});

describe('paying: the callbacks and what the customer sees', () => {
  it('posts a complete, signed callback_ok for a success and shows the shop page without its scripts', async () => {
    const order = nextOrder();
    shop.answer('/ok', {
      status: 200,
      body: '<html><body><h1>Thank you</h1><script>alert(1)</script><SCRIPT src="https://x.test/t.js"></SCRIPT></body></html>',
    });
    const pid = await createPayment(order, {
      'transaction_info[basket]': 'b-7',
      cookie: 'session=abc',
      'customer_info[email]': 'palle@example.dk',
    });

    const answer = await gateway.pay(pid, 'success');

    expect(answer.status).toBe(200);
    expect(answer.html).toBe('<html><body><h1>Thank you</h1></body></html>');
    const [callback, ...others] = shop.posts('/ok', order);
    expect(others).toHaveLength(0);
    expect(callback?.headers.cookie).toBe('session=abc');
    const fields = fieldsOf(callback);
    expect(Object.keys(fields)).toEqual(
      expect.arrayContaining([
        'shop_orderid',
        'currency',
        'amount',
        'type',
        'embedded_window',
        'transaction_id',
        'payment_id',
        'nature',
        'require_capture',
        'payment_status',
        'masked_credit_card',
        'blacklist_token',
        'credit_card_token',
        'status',
        'error_message',
        'merchant_error_message',
        'cardholder_message_must_be_shown',
        'xml',
        'checksum',
      ]),
    );
    expect(fields).toMatchObject({
      shop_orderid: order,
      currency: '208',
      amount: '12.50',
      type: 'payment',
      nature: 'CreditCard',
      require_capture: 'true',
      payment_status: 'preauth',
      status: 'succeeded',
      masked_credit_card: '457199******4512',
      'transaction_info[basket]': 'b-7',
    });
    expect(fields.credit_card_token).toMatch(/^[0-9a-f]{40}$/);
    const { amount = '', currency = '', shop_orderid = '', checksum = '' } = fields;
    expect(checksumMatches({ amount, currency, shop_orderid }, checksum, [secret])).toBe(true);
    const xml = parseApiResponse(fields.xml ?? '');
    expect(xml.result).toBe('Success');
    expect(xml.transactions).toHaveLength(1);
    expect(xml.transactions[0]).toMatchObject({
      transactionId: fields.transaction_id,
      paymentId: fields.payment_id,
      shopOrderId: order,
      transactionStatus: 'preauth',
      currencyNumeric: '208',
      reservedAmount: '12.50',
      capturedAmount: '0.00',
    });
  });

  it('posts a captured transaction for paymentAndCapture, with require_capture false', async () => {
    const order = nextOrder();
    const pid = await createPayment(order, { type: 'paymentAndCapture' });

    await gateway.pay(pid, 'success');

    const fields = fieldsOf(shop.posts('/ok', order)[0]);
    expect(fields).toMatchObject({
      type: 'paymentAndCapture',
      require_capture: 'false',
      payment_status: 'captured',
    });
    expect(parseApiResponse(fields.xml ?? '').transactions[0]).toMatchObject({
      reservedAmount: '12.50',
      capturedAmount: '12.50',
    });
  });

  it.each([
    ['decline', 'preauth_error', 'failed', 'Failed', 'Card declined. Please try another card.', 'true'],
    ['3ds-failure', '3dsecure_failed', 'failed', 'Failed', '3-D Secure authentication failed.', 'true'],
    ['cancel', 'epayment_cancelled', 'cancelled', 'Cancelled', '', 'false'],
  ] as const)(
    'posts callback_fail for %s with status %s',
    async (outcome, paymentStatus, status, result, message, mustShow) => {
      const order = nextOrder();
      const pid = await createPayment(order);

      const answer = await gateway.pay(pid, outcome);

      expect(answer.status).toBe(200);
      expect(shop.posts('/ok', order)).toHaveLength(0);
      const fields = fieldsOf(shop.posts('/fail', order)[0]);
      expect(fields).toMatchObject({
        payment_status: paymentStatus,
        status,
        error_message: message,
        cardholder_message_must_be_shown: mustShow,
        require_capture: 'false',
        amount: '12.50',
      });
      const xml = parseApiResponse(fields.xml ?? '');
      expect(xml.result).toBe(result);
      expect(xml.cardHolderMessageMustBeShown).toBe(mustShow === 'true');
      expect(xml.transactions[0]).toMatchObject({ transactionStatus: paymentStatus, reservedAmount: '0.00' });
    },
  );

  it('lets the customer try again after a decline, with a new transaction', async () => {
    const order = nextOrder();
    const pid = await createPayment(order);

    await gateway.pay(pid, 'decline');
    await gateway.pay(pid, 'success');
    const third = await gateway.pay(pid, 'success');

    expect(third.status).toBe(409);
    const [declined, paid] = gateway.transactions(order);
    expect(declined?.transactionStatus).toBe('preauth_error');
    expect(paid?.transactionStatus).toBe('preauth');
    expect(paid?.transactionId).not.toBe(declined?.transactionId);
    expect(gateway.paymentRequest(pid)?.state).toBe('completed');
  });

  it.each([
    ['open-failure', 'This payment did not go through. Return to the shop to try again.'],
    ['open-success', 'This payment request has already been paid.'],
  ] as const)(
    'says on a reload after %s, once it concluded, what became of the payment',
    async (outcome, text) => {
      const order = nextOrder();
      const pid = await createPayment(order);

      await gateway.pay(pid, outcome);
      expect((await gateway.pay(pid, 'success')).html).toContain('This payment is waiting for its result.');
      await vi.waitFor(() => expect(shop.posts('/notification', order)).toHaveLength(1), { timeout: 2000 });
      const reload = await gateway.pay(pid, 'success');

      expect(reload.status).toBe(409);
      expect(reload.html).toContain(text);
    },
  );

  it.each([
    ['open-success', 'preauth', 'succeeded', '12.50'],
    ['open-failure', 'epayment_declined', 'failed', '0.00'],
  ] as const)(
    'posts callback_open for %s, then callback_notification with %s after the delay',
    async (outcome, finalStatus, status, reserved) => {
      const order = nextOrder();
      const pid = await createPayment(order);

      const answer = await gateway.pay(pid, outcome as Outcome);

      expect(answer.status).toBe(200);
      const open = fieldsOf(shop.posts('/open', order)[0]);
      expect(open).toMatchObject({
        status: 'open',
        payment_status: 'invoice_initialized',
        nature: 'Invoice',
      });
      const openXml = parseApiResponse(open.xml ?? '');
      expect(openXml.result).toBe('Open');
      expect(shop.posts('/notification', order)).toHaveLength(0);

      await vi.waitFor(() => expect(shop.posts('/notification', order)).toHaveLength(1), { timeout: 2000 });

      const notification = fieldsOf(shop.posts('/notification', order)[0]);
      expect(notification).toMatchObject({
        status,
        payment_status: finalStatus,
        transaction_id: open.transaction_id,
      });
      const { amount = '', currency = '', shop_orderid = '', checksum = '' } = notification;
      expect(checksumMatches({ amount, currency, shop_orderid }, checksum, [secret])).toBe(true);
      const finalTransaction = parseApiResponse(notification.xml ?? '').transactions[0];
      expect(finalTransaction).toMatchObject({ transactionStatus: finalStatus, reservedAmount: reserved });
      expect((finalTransaction?.updatedDate ?? '') > (openXml.transactions[0]?.updatedDate ?? '')).toBe(true);
    },
  );

  it('asks callback_verify_order first and goes on when the shop answers exactly OKAY', async () => {
    const order = nextOrder();
    shop.answer('/verify', { status: 200, body: 'OKAY' });
    const pid = await createPayment(order, { 'config[callback_verify_order]': `${shop.url}/verify` });

    await gateway.pay(pid, 'success');

    const verify = fieldsOf(shop.posts('/verify', order)[0]);
    expect(verify).toMatchObject({ shop_orderid: order, amount: '12.50', currency: '208', status: 'open' });
    const { amount = '', currency = '', shop_orderid = '', checksum = '' } = verify;
    expect(checksumMatches({ amount, currency, shop_orderid }, checksum, [secret])).toBe(true);
    expect(parseApiResponse(verify.xml ?? '').transactions[0]?.transactionStatus).toBe('created');
    const ok = fieldsOf(shop.posts('/ok', order)[0]);
    expect(ok.transaction_id).toBe(verify.transaction_id);
  });

  it('stops when callback_verify_order refuses and shows its first 255 characters without tags', async () => {
    const order = nextOrder();
    shop.answer('/verify', {
      status: 200,
      body: `<p>Sorry, <b>out of stock</b> & gone</p>${'x'.repeat(300)}`,
    });
    const pid = await createPayment(order, { 'config[callback_verify_order]': `${shop.url}/verify` });

    const answer = await gateway.pay(pid, 'success');

    expect(answer.status).toBe(200);
    expect(answer.html).toContain('Sorry, out of stock &amp; gone');
    expect(answer.html).not.toContain('<b>');
    expect(answer.html).not.toContain('x'.repeat(240));
    expect(shop.posts('/ok', order)).toHaveLength(0);
    expect(shop.posts('/fail', order)).toHaveLength(0);
  });

  it("treats 'OK' from callback_verify_order as a refusal", async () => {
    const order = nextOrder();
    shop.answer('/verify', { status: 200, body: 'OK' });
    const pid = await createPayment(order, { 'config[callback_verify_order]': `${shop.url}/verify` });

    await gateway.pay(pid, 'success');

    expect(shop.posts('/ok', order)).toHaveLength(0);
  });

  it('sends the browser 303 to a redirect answer, resolved against the callback URL', async () => {
    const order = nextOrder();
    shop.answer('/ok', { status: 302, headers: { location: '/receipt?order=1' } });
    const pid = await createPayment(order);

    const response = await fetch(`${gateway.url}/eCommerce/API/pay?pid=${pid}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'outcome=success',
      redirect: 'manual',
    });

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${shop.url}/receipt?order=1`);
  });

  it('shows a gateway error page naming the status when the shop answers 500', async () => {
    const order = nextOrder();
    shop.answer('/fail', { status: 500, body: '<script>boom</script>' });
    const pid = await createPayment(order);

    const answer = await gateway.pay(pid, 'decline');

    expect(answer.status).toBe(502);
    expect(answer.html).toContain('HTTP 500');
    expect(answer.html).not.toContain('boom');
  });

  it('gives up on a shop that never answers and says so to the customer', async () => {
    const order = nextOrder();
    shop.answer('/ok', 'hang');
    const pid = await createPayment(order);
    const started = Date.now();

    const answer = await gateway.pay(pid, 'success');

    expect(Date.now() - started).toBeGreaterThanOrEqual(answerTimeoutMs - 50);
    expect(answer.status).toBe(504);
    expect(answer.html).toContain('The shop did not answer in time');
    expect(gateway.deliveries.at(-1)).toMatchObject({ type: 'ok', failure: 'answer-timeout' });
  });

  it('shows the gateway result page when no callback is configured for the result', async () => {
    const order = nextOrder();
    const pid = await createPayment(order, { 'config[callback_fail]': '' });

    const answer = await gateway.pay(pid, 'decline');

    expect(answer.status).toBe(200);
    expect(answer.html).toContain('Payment failed');
    expect(answer.html).toContain('Card declined. Please try another card.');
    expect(shop.requests).toHaveLength(0);
  });

  it('sends each callback `repeat` times with identical bodies', async () => {
    const order = nextOrder();
    gateway.delivery.repeat = 3;
    const pid = await createPayment(order);

    await gateway.pay(pid, 'success');

    const posts = shop.posts('/ok', order);
    expect(posts).toHaveLength(3);
    expect(new Set(posts.map((p) => p.body)).size).toBe(1);
  });

  it('waits delivery.delayMs before posting', async () => {
    const order = nextOrder();
    gateway.delivery.delayMs = 200;
    const pid = await createPayment(order);
    const started = Date.now();

    await gateway.pay(pid, 'success');

    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(shop.posts('/ok', order)).toHaveLength(1);
  });

  it('re-sends the last callback of a type exactly as first sent', async () => {
    const order = nextOrder();
    const pid = await createPayment(order);
    await gateway.pay(pid, 'success');

    const resent = await gateway.resend(order, 'ok');

    const [first, second] = shop.posts('/ok', order);
    expect(second?.body).toBe(first?.body);
    expect(resent).toMatchObject({ type: 'ok', status: 200, url: `${shop.url}/ok` });
    await expect(gateway.resend(order, 'notification')).rejects.toThrow(/No notification callback/);
  });
});

describe('"Pay — the shop never hears"', () => {
  it('reserves at the gateway, delivers no callback at all, and payments by shop_orderid finds it', async () => {
    const order = nextOrder();
    const pid = await createPayment(order, { 'config[callback_verify_order]': `${shop.url}/verify` });

    const answer = await gateway.pay(pid, 'success-unheard');
    // Long enough for a notification the simulator might have scheduled.
    await new Promise((resolve) => setTimeout(resolve, notificationDelayMs * 2));

    expect(answer.status).toBe(200);
    expect(answer.html).toContain('no callback was sent to the shop');
    expect(shop.requests.filter((r) => r.fields.get('shop_orderid') === order)).toEqual([]);
    expect(gateway.deliveries.filter((d) => d.fields.shop_orderid === order)).toEqual([]);
    const listed = parseApiResponse(await (await callApi('payments', { shop_orderid: order })).text());
    expect(listed.transactions).toHaveLength(1);
    expect(listed.transactions[0]).toMatchObject({
      shopOrderId: order,
      transactionStatus: 'preauth',
      reservedAmount: '12.50',
    });
    expect(gateway.paymentRequest(pid)?.state).toBe('completed');
  });
});

describe('payments, capture, release and refund', () => {
  async function reservedPayment(): Promise<{ order: string; transactionId: string }> {
    const order = nextOrder();
    await gateway.pay(await createPayment(order), 'success');
    const [transaction] = gateway.transactions(order);
    if (transaction === undefined) throw new Error('no transaction');
    return { order, transactionId: transaction.transactionId };
  }

  it('reports the transactions of an order, with no Result', async () => {
    const { order, transactionId } = await reservedPayment();

    const xml = await (await callApi('payments', { shop_orderid: order })).text();
    const parsed = parseApiResponse(xml);

    expect(parsed.result).toBeUndefined();
    expect(xml).toContain('<ResultFilter/>');
    expect(parsed.transactions).toHaveLength(1);
    expect(parsed.transactions[0]).toMatchObject({
      transactionId,
      transactionStatus: 'preauth',
      reservedAmount: '12.50',
    });
    const none = parseApiResponse(
      await (await callApi('payments', { shop_orderid: 'no-such-order' })).text(),
    );
    expect(none.transactions).toHaveLength(0);
  });

  it('captures in parts, refuses more than reserved, and advances UpdatedDate', async () => {
    const { order, transactionId } = await reservedPayment();
    const before = gateway.transactions(order)[0];

    const partXml = await (
      await callApi('captureReservation', { transaction_id: transactionId, amount: '5.00' })
    ).text();
    const tooMuchXml = await (
      await callApi('captureReservation', { transaction_id: transactionId, amount: '8.00' })
    ).text();
    const restXml = await (await callApi('captureReservation', { transaction_id: transactionId })).text();
    const againXml = await (await callApi('captureReservation', { transaction_id: transactionId })).text();

    const part = parseApiResponse(partXml);
    expect(part.result).toBe('Success');
    expect(element(partXml, 'CaptureAmount')).toBe('5.00');
    expect(element(partXml, 'CaptureCurrency')).toBe('208');
    expect(element(partXml, 'CaptureResult')).toBe('Success');
    expect(part.transactions[0]).toMatchObject({ transactionStatus: 'captured', capturedAmount: '5.00' });
    expect((part.transactions[0]?.updatedDate ?? '') > (before?.updatedDate ?? '')).toBe(true);
    const tooMuch = parseApiResponse(tooMuchXml);
    expect(tooMuch.result).toBe('Error');
    expect(tooMuch.merchantErrorMessage).toMatch(/greater than the remaining reserved amount 7.50/);
    expect(tooMuch.transactions[0]).toMatchObject({ capturedAmount: '5.00' });
    expect(parseApiResponse(restXml).transactions[0]).toMatchObject({ capturedAmount: '12.50' });
    expect(element(restXml, 'CaptureAmount')).toBe('7.50');
    expect(parseApiResponse(againXml).result).toBe('Error');
  });

  it('refunds captured money and refuses to release a captured reservation', async () => {
    const { transactionId } = await reservedPayment();
    await callApi('captureReservation', { transaction_id: transactionId });

    const releaseXml = await (await callApi('releaseReservation', { transaction_id: transactionId })).text();
    const refundXml = await (
      await callApi('refundCapturedReservation', { transaction_id: transactionId, amount: '2.00' })
    ).text();
    const overXml = await (
      await callApi('refundCapturedReservation', { transaction_id: transactionId, amount: '11.00' })
    ).text();

    expect(parseApiResponse(releaseXml).result).toBe('Error');
    const refund = parseApiResponse(refundXml);
    expect(refund.result).toBe('Success');
    expect(element(refundXml, 'RefundAmount')).toBe('2.00');
    expect(element(refundXml, 'RefundResult')).toBe('Success');
    expect(refund.transactions[0]).toMatchObject({
      transactionStatus: 'refunded',
      refundedAmount: '2.00',
      capturedAmount: '12.50',
    });
    expect(parseApiResponse(overXml).result).toBe('Error');
  });

  it('releases a reservation with nothing captured', async () => {
    const { order, transactionId } = await reservedPayment();

    const parsed = parseApiResponse(
      await (await callApi('releaseReservation', { transaction_id: transactionId })).text(),
    );

    expect(parsed.result).toBe('Success');
    expect(parsed.transactions[0]?.transactionStatus).toBe('released');
    expect(gateway.transactions(order)[0]?.transactionStatus).toBe('released');
  });

  it('captures the rest of a reservation after a partial refund', async () => {
    const { transactionId } = await reservedPayment();
    await callApi('captureReservation', { transaction_id: transactionId, amount: '5.00' });
    await callApi('refundCapturedReservation', { transaction_id: transactionId, amount: '5.00' });

    const rest = parseApiResponse(
      await (await callApi('captureReservation', { transaction_id: transactionId })).text(),
    );

    expect(rest.result).toBe('Success');
    expect(rest.transactions[0]).toMatchObject({ capturedAmount: '12.50', refundedAmount: '5.00' });
  });

  it('keeps each capture, refund and release as asked for, order lines included, refusals too', async () => {
    const { order, transactionId } = await reservedPayment();

    await callApi('captureReservation', {
      transaction_id: transactionId,
      amount: '10.00',
      'orderLines[0][description]': 'Mug',
      'orderLines[0][itemId]': 'MUG-1',
      'orderLines[0][quantity]': '1',
      'orderLines[0][unitPrice]': '10.00',
    });
    await callApi('releaseReservation', { transaction_id: transactionId });

    expect(gateway.operations(order)).toEqual([
      {
        method: 'captureReservation',
        transactionId,
        shopOrderId: order,
        amount: '10.00',
        orderLines: [{ description: 'Mug', itemId: 'MUG-1', quantity: '1', unitPrice: '10.00' }],
        result: 'Success',
      },
      { method: 'releaseReservation', transactionId, shopOrderId: order, orderLines: [], result: 'Error' },
    ]);
  });

  it('lists 10 transactions of an order unless limit says more, and refuses a limit above 100', async () => {
    const order = nextOrder();
    // A declined attempt leaves the request payable again, so one request gives many transactions.
    const pid = await createPayment(order);
    for (let i = 0; i < 11; i++) await gateway.pay(pid, 'decline');

    const listed = async (params: Record<string, string>) =>
      parseApiResponse(await (await callApi('payments', { shop_orderid: order, ...params })).text());

    expect((await listed({})).transactions).toHaveLength(10);
    expect((await listed({ limit: '100' })).transactions).toHaveLength(11);
    expect((await listed({ limit: '101' })).merchantErrorMessage).toMatch(/Invalid limit/);
  });

  it('does what was asked and never answers when its answer is lost', async () => {
    const { order, transactionId } = await reservedPayment();
    gateway.failNext('answer-lost', 'captureReservation');

    const call = callApi(
      'captureReservation',
      { transaction_id: transactionId, amount: '2.00' },
      basic(credentials.username, credentials.password),
      AbortSignal.timeout(200),
    );

    await expect(call).rejects.toThrow(/abort|timeout/i);
    expect(gateway.transactions(order)[0]).toMatchObject({ capturedAmount: '2.00' });
  });

  it('answers Result Error for an unknown transaction', async () => {
    const parsed = parseApiResponse(
      await (await callApi('captureReservation', { transaction_id: '1' })).text(),
    );

    expect(parsed.result).toBe('Error');
    expect(parsed.merchantErrorMessage).toMatch(/No transaction/);
  });
});

describe('stop()', () => {
  it('cancels pending notifications and drops a call it is holding', async () => {
    const own = await startGatewaySimulator({ port: 0, credentials, notificationDelayMs: 100 });
    const auth = basic(credentials.username, credentials.password);
    const created = await fetch(`${own.url}/merchant/API/createPaymentRequest`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        terminal,
        shop_orderid: 'stop-1',
        amount: '1.00',
        currency: 'DKK',
        ...callbackConfig(),
      }),
    });
    const pid = parseApiResponse(await created.text()).paymentRequestId ?? '';
    await own.pay(pid, 'open-success');
    own.failNext('timeout');
    const held = fetch(`${own.url}/merchant/API/payments`, {
      method: 'POST',
      headers: { authorization: auth },
    });

    await new Promise((resolve) => setTimeout(resolve, 20));
    await own.stop();

    await expect(held).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(shop.posts('/open', 'stop-1')).toHaveLength(1);
    expect(shop.posts('/notification', 'stop-1')).toHaveLength(0);
  });
});
