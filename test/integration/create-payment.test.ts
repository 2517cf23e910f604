import { describe, expect, it } from 'vitest';
import { encodeFormBody } from '../../shared/altapay/form-body';
import { callbackFields, signed, transactionXml } from '../support/gateway';
import { useLocalStack } from '../support/local-stack';
import { expiresIn, orderJson, signedFormBody, signedJsonRequest } from '../support/signed-order';

/** The terminal's shared secret: the simulator signs its callbacks with it, and so do our own posts. */
const secret = 'terminal-secret';

/** The shop key, and the one before it: this file runs in the middle of a key rotation. */
const shopKey = 'shop-key-current-0123456789abcdef0123456789';
const previousShopKey = 'shop-key-previous-0123456789abcdef012345678';

/**
 * POST /payments over real HTTP, through the real handler, against the AltaPay simulator speaking
 * the Merchant API; DynamoDB and SQS embedded. The gateway times out after 1 s here.
 */
const stack = useLocalStack({
  ALTAPAY_GATEWAY_TIMEOUT_MS: '1000',
  ALTAPAY_CALLBACK_SECRET: secret,
  SHOP_ORDER_KEY: shopKey,
  SHOP_ORDER_KEY_PREVIOUS: previousShopKey,
});

/** A form post to one of our callback routes, signed as the gateway signs it. */
const postSigned = (route: string, fields: Record<string, string>) =>
  fetch(`${stack.apiUrl}/callbacks/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: encodeFormBody(signed(fields, secret)),
  });

/** The shop's back end starting a payment: the order signed with the shop key. */
const postJson = (order: Record<string, unknown>, key = shopKey) =>
  fetch(`${stack.apiUrl}/payments`, signedJsonRequest(order, key));

/** The customer's browser posting a form body (the shop's signed checkout, or anything else). */
const postForm = (body: string) =>
  fetch(`${stack.apiUrl}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
    redirect: 'manual',
  });

/** What a customer reads on one of our pages: the page without its markup and styles. */
const visibleText = async (page: Response) =>
  (await page.text()).replace(/<style[\s\S]*?<\/style>|<[^>]+>/g, ' ').replace(/\s+/g, ' ');

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
    const response = await postForm(
      signedFormBody({ shopOrderId: 'cp-3', amount: '99.50', currency: 'EUR' }, shopKey),
    );

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
    const page = await postForm(
      signedFormBody({ shopOrderId: 'cp-4', amount: '5.00', currency: 'DKK' }, shopKey),
    );
    expect(page.status).toBe(409);
    const visible = await visibleText(page);
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
    const response = await postForm(
      signedFormBody({ shopOrderId: 'cp-7', amount: '249,00', currency: 'DKK' }, shopKey),
    );

    expect(response.status).toBe(400);
    expect(await response.text()).toContain(
      'Field amount must look like 249.00: digits, a dot, at most 2 decimals',
    );
    expect(await stack.payment('cp-7')).toBeUndefined();
  });

  it('shows a browser a readable page, not JSON, when the order cannot be paid', async () => {
    const response = await postForm(
      signedFormBody({ shopOrderId: 'cp-5', amount: 'abc', currency: 'DKK' }, shopKey),
    );

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

/** The order JSON and signature the demo shop's server rendered into its checkout form's hidden fields. */
async function demoShopCheckout(query = ''): Promise<{ order: string; signature: string }> {
  const html = await (await fetch(`${stack.apiUrl}/${query}`)).text();
  const hidden = (name: string) => {
    const value = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(html)?.[1];
    if (value === undefined) throw new Error(`the demo shop rendered no hidden ${name} field`);
    return value
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  };
  return { order: hidden('order'), signature: hidden('signature') };
}

describe('only orders the shop signed', () => {
  const order = (shopOrderId: string) => ({ shopOrderId, amount: '249.00', currency: 'DKK' });

  it('refuses unsigned JSON with 401, and asks the gateway for nothing and stores nothing', async () => {
    const response = await fetch(`${stack.apiUrl}/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: orderJson(order('sig-unsigned')),
    });

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      error: 'order_unsigned',
      message: expect.stringContaining('sign it with its shop key'),
    });
    expect(stack.simulator.paymentRequestsFor('sig-unsigned')).toEqual([]);
    expect(await stack.payment('sig-unsigned')).toBeUndefined();
  });

  it('refuses an unsigned form, the kind any page could post, with a 401 page and no field messages', async () => {
    const response = await postForm('shopOrderId=sig-form&amount=1.00&currency=DKK&type=paymentAndCapture');

    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const visible = await visibleText(response);
    expect(visible).toContain('This order cannot be paid here');
    expect(visible).toContain('The order is not signed: the shop must sign it with its shop key');
    expect(visible).not.toContain('Field');
    expect(stack.simulator.paymentRequestsFor('sig-form')).toEqual([]);
    expect(await stack.payment('sig-form')).toBeUndefined();
  });

  it.each([
    ['the amount', (json: string) => json.replace('"amount":"249.00"', '"amount":"1.00"')],
    [
      'the order id',
      (json: string) => json.replace('"shopOrderId":"sig-tamper"', '"shopOrderId":"sig-tamper-2"'),
    ],
    [
      'the payment type',
      (json: string) => json.replace('"currency":"DKK"', '"currency":"DKK","type":"paymentAndCapture"'),
    ],
  ])('refuses an order with %s changed under the shop’s signature (403)', async (_, change) => {
    const signed = signedJsonRequest(order('sig-tamper'), shopKey);
    const tampered = change(signed.body);
    expect(tampered).not.toBe(signed.body);

    const response = await fetch(`${stack.apiUrl}/payments`, { ...signed, body: tampered });

    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: 'order_signature_mismatch' });
    expect(stack.simulator.paymentRequestsFor('sig-tamper')).toEqual([]);
    expect(stack.simulator.paymentRequestsFor('sig-tamper-2')).toEqual([]);
  });

  it('refuses an order signed with a key we do not hold (403)', async () => {
    const response = await postJson(order('sig-other-key'), 'someone-elses-key-0123456789abcdef0123');

    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: 'order_signature_mismatch' });
    expect(stack.simulator.paymentRequestsFor('sig-other-key')).toEqual([]);
  });

  it('refuses an expired order with 403 order_expired: the shop must sign a fresh one', async () => {
    const response = await postJson({ ...order('sig-expired'), expiresAt: expiresIn(-1) });

    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      error: 'order_expired',
      message: expect.stringContaining('the shop must sign a fresh order'),
    });
    expect(stack.simulator.paymentRequestsFor('sig-expired')).toEqual([]);
    expect(await stack.payment('sig-expired')).toBeUndefined();
  });

  it('accepts an order signed with the previous key during a rotation', async () => {
    const response = await postJson(order('sig-rotation'), previousShopKey);

    expect(response.status).toBe(201);
    expect(stack.simulator.paymentRequestsFor('sig-rotation')).toHaveLength(1);
  });

  it('takes the payment type from the signed order, else from the merchant’s setting', async () => {
    expect((await postJson({ ...order('sig-type-signed'), type: 'paymentAndCapture' })).status).toBe(201);
    expect((await postJson(order('sig-type-default'))).status).toBe(201);

    expect(stack.simulator.paymentRequestsFor('sig-type-signed').map((r) => r.type)).toEqual([
      'paymentAndCapture',
    ]);
    expect(stack.simulator.paymentRequestsFor('sig-type-default').map((r) => r.type)).toEqual(['payment']);
  });
});

describe("the demo shop's checkout, signed by its server", () => {
  it('posts a form that is answered 303 to the payment page, for the price on its own list', async () => {
    const { order, signature } = await demoShopCheckout('?product=teapot&quantity=2&language=da');
    const { shopOrderId } = JSON.parse(order) as { shopOrderId: string };

    const response = await postForm(encodeFormBody({ order, signature }));

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/\/eCommerce\/API\/requestForm\?pid=/);
    expect(stack.simulator.paymentRequestsFor(shopOrderId)).toMatchObject([
      { amount: '990.00', currency: { alpha: 'DKK' }, language: 'da' },
    ]);
    expect(await stack.payment(shopOrderId)).toMatchObject({ status: 'created' });
  });

  it('ignores form fields outside the signed order', async () => {
    const { order, signature } = await demoShopCheckout();
    const { shopOrderId } = JSON.parse(order) as { shopOrderId: string };

    const response = await postForm(
      encodeFormBody({
        order,
        signature,
        amount: '1.00',
        type: 'paymentAndCapture',
        shopOrderId: 'sig-other',
      }),
    );

    expect(response.status).toBe(303);
    expect(stack.simulator.paymentRequestsFor(shopOrderId)).toMatchObject([
      { amount: '249.00', type: 'payment' },
    ]);
    expect(stack.simulator.paymentRequestsFor('sig-other')).toEqual([]);
  });

  it.each([
    ['amount', (o: Record<string, unknown>) => ({ ...o, amount: '1.00' })],
    ['order id', (o: Record<string, unknown>) => ({ ...o, shopOrderId: 'SHOP-1002' })],
    ['type', (o: Record<string, unknown>) => ({ ...o, type: 'paymentAndCapture' })],
  ])('refuses its form with the %s changed (403 page), starting nothing', async (_, change) => {
    const { order, signature } = await demoShopCheckout();
    const tampered = JSON.stringify(change(JSON.parse(order) as Record<string, unknown>));

    const response = await postForm(encodeFormBody({ order: tampered, signature }));

    expect(response.status).toBe(403);
    expect(await visibleText(response)).toContain('The order signature does not match');
    const { shopOrderId } = JSON.parse(tampered) as { shopOrderId: string };
    expect(stack.simulator.paymentRequestsFor(shopOrderId)).toEqual([]);
  });

  it('refuses its form when any one byte of the signed order changes', async () => {
    const { order, signature } = await demoShopCheckout();
    const { shopOrderId } = JSON.parse(order) as { shopOrderId: string };
    // A space the JSON would still parse with, then one digit of the expiry.
    for (const changed of [
      `${order} `,
      order.replace(/(\d)Z"/, (_, d: string) => `${(Number(d) + 1) % 10}Z"`),
    ]) {
      expect(changed).not.toBe(order);
      const response = await postForm(encodeFormBody({ order: changed, signature }));
      expect(response.status).toBe(403);
    }
    expect(stack.simulator.paymentRequestsFor(shopOrderId)).toEqual([]);
  });
});
