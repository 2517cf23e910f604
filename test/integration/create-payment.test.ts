import { describe, expect, it } from 'vitest';
import { encodeFormBody } from '../../shared/altapay/form-body';
import { callbackFields, signed, transactionXml } from '../support/gateway';
import { useLocalStack } from '../support/local-stack';

/** The terminal's shared secret: the simulator signs its callbacks with it, and so do our own posts. */
const secret = 'terminal-secret';

/**
 * POST /payments over real HTTP, through the real handler, against the AltaPay simulator speaking
 * the Merchant API; DynamoDB and SQS embedded. The gateway times out after 1 s here.
 */
const stack = useLocalStack({
  ALTAPAY_GATEWAY_TIMEOUT_MS: '1000',
  ALTAPAY_CALLBACK_SECRET: secret,
});

/** A form post to one of our callback routes, signed as the gateway signs it. */
const postSigned = (route: string, fields: Record<string, string>) =>
  fetch(`${stack.apiUrl}/callbacks/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: encodeFormBody(signed(fields, secret)),
  });

const postJson = (body: unknown) =>
  fetch(`${stack.apiUrl}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('creating a payment', () => {
  it('answers a JSON client 201 with the gateway payment page, and records the request', async () => {
    const response = await postJson({
      shopOrderId: 'cp-1',
      amount: '249.00',
      currency: 'DKK',
      language: 'da',
    });

    expect(response.status).toBe(201);
    const body = (await response.json()) as { url: string; paymentRequestId: string; shopOrderId: string };
    expect(body.shopOrderId).toBe('cp-1');
    expect(body.url).toBe(`${stack.simulator.url}/eCommerce/API/requestForm?pid=${body.paymentRequestId}`);
    expect(stack.simulator.paymentRequest(body.paymentRequestId)).toMatchObject({
      shopOrderId: 'cp-1',
      amount: '249.00',
      config: expect.objectContaining({
        callback_ok: `${stack.apiUrl}/callbacks/ok`,
        callback_verify_order: `${stack.apiUrl}/callbacks/verify-order`,
      }),
    });
    expect(await stack.payment('cp-1')).toMatchObject({ status: 'created', transactions: [] });
  });

  it('returns the same URL for a second identical request (200), creating nothing at the gateway', async () => {
    const first = (await (
      await postJson({ shopOrderId: 'cp-2', amount: '10.00', currency: '208' })
    ).json()) as { url: string };

    const again = await postJson({ shopOrderId: 'cp-2', amount: '10.00', currency: 'DKK' });

    expect(again.status).toBe(200);
    expect(((await again.json()) as { url: string }).url).toBe(first.url);
  });

  it('answers a browser form post 303 to the payment page', async () => {
    const response = await fetch(`${stack.apiUrl}/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'shopOrderId=cp-3&amount=99.50&currency=EUR',
      redirect: 'manual',
    });

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/\/eCommerce\/API\/requestForm\?pid=/);
  });

  it('refuses an order that is already paid (409), and tells a browser so without internal status words', async () => {
    const created = (await (
      await postJson({ shopOrderId: 'cp-4', amount: '5.00', currency: 'DKK' })
    ).json()) as {
      paymentRequestId: string;
    };
    await stack.simulator.pay(created.paymentRequestId, 'success');
    await stack.waitForStatus('cp-4', 'reserved');

    const again = await postJson({ shopOrderId: 'cp-4', amount: '5.00', currency: 'DKK' });

    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: 'order_already_paid' });
    const page = await fetch(`${stack.apiUrl}/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'shopOrderId=cp-4&amount=5.00&currency=DKK',
    });
    expect(page.status).toBe(409);
    // What the customer reads: the page without its markup and styles.
    const visible = (await page.text()).replace(/<style[\s\S]*?<\/style>|<[^>]+>/g, ' ');
    expect(visible).toContain('Order cp-4 is already paid. No further payment is needed.');
    expect(visible).not.toMatch(/\b(status|reserved)\b/i);
  });

  it.each([
    ['a header error', 'header-error', 'rejected'],
    ['Result=Error', 'result-error', 'rejected'],
    ['refused credentials (401)', 'unauthorized', 'unauthorized'],
    ['an HTTP 500', 'http-500', 'http_error'],
    ['no answer', 'timeout', 'timeout'],
  ] as const)('answers 502 on %s from the gateway and stores nothing', async (_, kind, reason) => {
    const shopOrderId = `cp-fail-${kind}`;
    stack.simulator.failNext(kind, 'createPaymentRequest');

    const response = await postJson({ shopOrderId, amount: '1.00', currency: 'DKK' });

    expect(response.status).toBe(502);
    const body = (await response.json()) as { error: string; reason: string; message: string };
    expect(body).toMatchObject({ error: 'gateway_error', reason });
    expect(body.message).toMatch(/AltaPay/);
    expect(await stack.payment(shopOrderId)).toBeUndefined();
  });

  it('answers 400 to a decimal comma in a JSON amount, saying what an amount looks like', async () => {
    const response = await postJson({ shopOrderId: 'cp-6', amount: '249,00', currency: 'DKK' });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'invalid_field',
      message:
        'Field amount must look like 249.00: digits, a dot, at most 2 decimals, more than 0 and less than 1000000000.',
    });
    expect(await stack.payment('cp-6')).toBeUndefined();
  });

  it('answers 400 to a decimal comma in a form amount, saying what an amount looks like', async () => {
    const response = await fetch(`${stack.apiUrl}/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'shopOrderId=cp-7&amount=249%2C00&currency=DKK',
    });

    expect(response.status).toBe(400);
    expect(await response.text()).toContain(
      'Field amount must look like 249.00: digits, a dot, at most 2 decimals',
    );
    expect(await stack.payment('cp-7')).toBeUndefined();
  });

  it('shows a browser a readable page, not JSON, when the order cannot be paid', async () => {
    const response = await fetch(`${stack.apiUrl}/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'shopOrderId=cp-5&amount=abc&currency=DKK',
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toContain(
      'Field amount must look like 249.00: digits, a dot, at most 2 decimals',
    );
  });
});

describe('verify-order, called by the gateway before it charges', () => {
  it('lets the payment go on for the order as requested (the simulator pays only after OKAY)', async () => {
    const created = (await (
      await postJson({ shopOrderId: 'vo-1', amount: '30.00', currency: 'DKK' })
    ).json()) as {
      paymentRequestId: string;
    };

    await stack.simulator.pay(created.paymentRequestId, 'success');

    const verify = stack.simulator.deliveries.find(
      (d) => d.type === 'verify_order' && d.fields.shop_orderid === 'vo-1',
    );
    expect(verify?.body).toBe('OKAY');
    expect((await stack.waitForStatus('vo-1', 'reserved')).status).toBe('reserved');
  });

  it('gives no OKAY to an order whose reservation was released, even for its exact amount', async () => {
    const shopOrderId = 'vo-released';
    await stack.simulator.pay(await stack.createPayment(shopOrderId, '30.00'), 'success');
    await stack.waitForStatus(shopOrderId, 'reserved');
    const [reservation] = stack.simulator.transactions(shopOrderId);
    const release = await fetch(`${stack.simulator.url}/merchant/API/releaseReservation`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${process.env.ALTAPAY_API_USERNAME}:${process.env.ALTAPAY_API_PASSWORD}`).toString('base64')}`,
      },
      body: encodeFormBody({ transaction_id: reservation?.transactionId ?? '' }),
    });
    expect(await release.text()).toContain('<Result>Success</Result>');
    // The gateway tells the shop of the release in a notification.
    const released = transactionXml({
      shopOrderId,
      transactionId: reservation?.transactionId ?? '',
      status: 'released',
      reserved: '30.00',
      updated: '2099-01-01 00:00:00',
    });
    expect((await postSigned('notification', callbackFields(released))).status).toBe(200);
    await stack.waitForStatus(shopOrderId, 'released');

    const answer = await postSigned('verify-order', {
      shop_orderid: shopOrderId,
      amount: '30.00',
      currency: '208',
    });

    expect(answer.status).toBe(200);
    const text = await answer.text();
    expect(text).not.toBe('OKAY');
    expect(text).toContain('cannot be paid again');
  });
});
