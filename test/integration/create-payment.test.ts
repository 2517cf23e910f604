import { describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';

/**
 * POST /payments over real HTTP, through the real handler, against the AltaPay simulator speaking
 * the Merchant API; DynamoDB and SQS embedded. The gateway times out after 1 s here.
 */
const stack = useLocalStack({
  ALTAPAY_GATEWAY_TIMEOUT_MS: '1000',
  ALTAPAY_CALLBACK_SECRET: 'terminal-secret',
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
});
