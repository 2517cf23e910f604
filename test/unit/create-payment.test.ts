import { describe, expect, it } from 'vitest';
import { encodeFormBody } from '../../shared/altapay/form-body';
import { recordCallback } from '../../shared/callbacks/record-callback';
import { createPayment, paymentAttemptLimit } from '../../shared/checkout/create-payment';
import { parseOrder } from '../../shared/checkout/order';
import { verifyOrder } from '../../shared/checkout/verify-order';
import { GatewayError } from '../../shared/errors';
import type { PaymentGateway, PaymentRequestInput } from '../../shared/ports';
import { callbackFields, signed, transactionXml } from '../support/gateway';
import { gatewayConfirms } from '../support/gateway-confirms';
import { MemoryPaymentStore, MemoryWorkQueue } from '../support/memory-store';
import { orderJson } from '../support/signed-order';

const silent = { info() {}, warn() {}, error() {} };
const callbacks = {
  ok: 'https://api.example/callbacks/ok',
  fail: 'https://api.example/callbacks/fail',
  open: 'https://api.example/callbacks/open',
  notification: 'https://api.example/callbacks/notification',
  verifyOrder: 'https://api.example/callbacks/verify-order',
};

class RecordingGateway implements PaymentGateway {
  readonly requests: PaymentRequestInput[] = [];
  failWith: GatewayError | undefined;
  async createPaymentRequest(input: PaymentRequestInput) {
    if (this.failWith) throw this.failWith;
    this.requests.push(input);
    const n = this.requests.length;
    return { paymentRequestId: `pr-${n}`, url: `https://gateway.example/pay?pid=pr-${n}` };
  }
  async transactions() {
    return [];
  }
  async captureReservation(): Promise<never> {
    throw new Error('create-payment never captures');
  }
  async transactionsOfOrder(): Promise<never> {
    throw new Error('create-payment never lists an order');
  }
  async refundCapturedReservation(): Promise<never> {
    throw new Error('create-payment never refunds');
  }
  async releaseReservation(): Promise<never> {
    throw new Error('create-payment never releases');
  }
  async chargeSubscription(): Promise<never> {
    throw new Error('create-payment never charges a subscription');
  }
}

function setup() {
  const store = new MemoryPaymentStore();
  const gateway = new RecordingGateway();
  let minutes = 0;
  // Every call is a minute later, so requests and callbacks have distinct times, as in life.
  const clock = { now: () => new Date(Date.UTC(2026, 10, 22, 10, minutes++)) };
  const deps = {
    store,
    gateway,
    clock,
    log: silent,
    paymentType: 'payment' as const,
    requestExpiryMinutes: 180,
    terminals: [
      { name: 'AltaPay Test Terminal', method: 'card' },
      { name: 'Shop DKK MobilePay', currency: 'DKK', method: 'mobilepay' },
    ],
  };
  const json = (value: Record<string, unknown>) => new TextEncoder().encode(orderJson(value));
  const order = (value: Record<string, unknown>) => parseOrder(json(value));
  const callbackDeps = {
    store,
    queue: new MemoryWorkQueue(),
    clock,
    log: silent,
    newId: () => String(minutes),
    callbackSecrets: [],
    queueWhenTableFails: true,
  };
  /** A callback's claim alone, before the worker asked the gateway. */
  const claim = (type: 'ok' | 'fail' | 'open' | 'notification', xml: string) =>
    recordCallback(callbackDeps, type, new TextEncoder().encode(encodeFormBody(callbackFields(xml))));
  /** A callback, and the gateway's confirmation of it (as the worker records it). */
  const callback = async (type: 'ok' | 'fail' | 'open' | 'notification', xml: string) => {
    const recorded = await claim(type, xml);
    await gatewayConfirms(store, xml, clock.now().toISOString());
    return recorded;
  };
  return { store, gateway, deps, order, callback, claim };
}

describe('creating a payment', () => {
  it('creates a payment request with our callback URLs and records it as created', async () => {
    const { store, gateway, deps, order } = setup();

    const created = await createPayment(
      deps,
      order({ shopOrderId: 'o-1', amount: '100.00', currency: 'DKK', language: 'da' }),
      callbacks,
    );

    expect(created).toEqual({
      outcome: 'created',
      shopOrderId: 'o-1',
      paymentRequestId: 'pr-1',
      url: 'https://gateway.example/pay?pid=pr-1',
    });
    expect(gateway.requests[0]).toMatchObject({
      shopOrderId: 'o-1',
      amount: '100.00',
      currency: 'DKK',
      type: 'payment',
      callbacks,
    });
    expect(store.payments.get('o-1')).toMatchObject({
      status: 'created',
      request: { amount: '100.00', currency: 'DKK', language: 'da' },
    });
  });

  it('understands a numeric currency', async () => {
    const { gateway, deps, order } = setup();

    await createPayment(deps, order({ shopOrderId: 'o-1', amount: '100.00', currency: '208' }), callbacks);

    expect(gateway.requests[0]?.currency).toBe('DKK');
  });

  it('returns the same URL for a repeated request instead of creating a second one', async () => {
    const { gateway, deps, order } = setup();
    const input = { shopOrderId: 'o-1', amount: '100.00', currency: 'DKK' };

    const first = await createPayment(deps, order(input), callbacks);
    const again = await createPayment(deps, order({ ...input, amount: '100.0' }), callbacks);

    expect(again).toEqual({ ...first, outcome: 'existing' });
    expect(gateway.requests).toHaveLength(1);
  });

  it('refuses another amount for an order with a live request (409)', async () => {
    const { deps, order } = setup();
    await createPayment(deps, order({ shopOrderId: 'o-1', amount: '100.00', currency: 'DKK' }), callbacks);

    await expect(
      createPayment(deps, order({ shopOrderId: 'o-1', amount: '90.00', currency: 'DKK' }), callbacks),
    ).rejects.toMatchObject({
      status: 409,
      code: 'order_amount_changed',
    });
  });

  it('records the terminal, and refuses another method for an order with a live request (409)', async () => {
    const { store, gateway, deps, order } = setup();
    await createPayment(
      deps,
      order({ shopOrderId: 'o-1', amount: '100.00', currency: 'DKK', paymentMethod: 'mobilepay' }),
      callbacks,
    );
    expect(gateway.requests[0]?.terminal).toBe('Shop DKK MobilePay');
    expect((await store.getPayment('o-1'))?.request?.terminal).toBe('Shop DKK MobilePay');

    await expect(
      createPayment(deps, order({ shopOrderId: 'o-1', amount: '100.00', currency: 'DKK' }), callbacks),
    ).rejects.toMatchObject({
      status: 409,
      code: 'order_method_changed',
      message:
        'Order o-1 already has a payment request on terminal Shop DKK MobilePay; use a new order id to pay another way.',
    });
    expect(gateway.requests).toHaveLength(1);
  });

  it.each([
    ['released', { status: 'released', reserved: '100.00' }],
    ['refunded', { status: 'refunded', reserved: '100.00', captured: '100.00', refunded: '100.00' }],
  ] as const)(
    'refuses an order whose payment was %s since (409): it needs a new order id',
    async (status, money) => {
      const { store, deps, order, callback } = setup();
      const input = { shopOrderId: 'o-1', amount: '100.00', currency: 'DKK' };
      await createPayment(deps, order(input), callbacks);
      await callback('notification', transactionXml({ shopOrderId: 'o-1', transactionId: '1', ...money }));
      expect(store.payments.get('o-1')?.status).toBe(status);

      await expect(createPayment(deps, order(input), callbacks)).rejects.toMatchObject({
        status: 409,
        code: 'order_already_paid',
        message: expect.stringContaining('needs a new order id'),
      });
    },
  );

  it('refuses an order that is already paid (409), in words that name no internal status', async () => {
    const { deps, order, callback } = setup();
    await createPayment(deps, order({ shopOrderId: 'o-1', amount: '100.00', currency: 'DKK' }), callbacks);
    await callback(
      'ok',
      transactionXml({ shopOrderId: 'o-1', transactionId: '1', status: 'preauth', reserved: '100.00' }),
    );

    await expect(
      createPayment(deps, order({ shopOrderId: 'o-1', amount: '100.00', currency: 'DKK' }), callbacks),
    ).rejects.toMatchObject({
      status: 409,
      code: 'order_already_paid',
      message: 'Order o-1 is already paid. No further payment is needed.',
    });
  });

  it('refuses a second payment (409) while a callback claims the order is paid and the gateway has not confirmed it', async () => {
    const { store, deps, order, claim } = setup();
    const input = { shopOrderId: 'o-1', amount: '100.00', currency: 'DKK' };
    await createPayment(deps, order(input), callbacks);
    await claim(
      'ok',
      transactionXml({ shopOrderId: 'o-1', transactionId: '1', status: 'preauth', reserved: '100.00' }),
    );
    expect(store.payments.get('o-1')?.status).toBe('created');

    await expect(createPayment(deps, order(input), callbacks)).rejects.toMatchObject({
      status: 409,
      code: 'payment_in_progress',
    });
  });

  it('creates a new request after a failed attempt, and hands that one out again', async () => {
    const { gateway, deps, order, callback } = setup();
    const input = { shopOrderId: 'o-1', amount: '100.00', currency: 'DKK' };
    await createPayment(deps, order(input), callbacks);
    await callback(
      'fail',
      transactionXml({ shopOrderId: 'o-1', transactionId: '1', status: 'preauth_error', result: 'Failed' }),
    );

    const retry = await createPayment(deps, order(input), callbacks);
    const again = await createPayment(deps, order(input), callbacks);

    expect(retry).toMatchObject({ outcome: 'created', paymentRequestId: 'pr-2' });
    expect(again).toMatchObject({ outcome: 'existing', paymentRequestId: 'pr-2' });
    expect(gateway.requests).toHaveLength(2);
  });

  it('lets a new amount start once the unanswered request has expired', async () => {
    const { gateway, deps, order } = setup();
    // Each clock reading is a minute later, so the first request has expired by the second call.
    const shortLived = { ...deps, requestExpiryMinutes: 1 };
    await createPayment(
      shortLived,
      order({ shopOrderId: 'o-1', amount: '0.01', currency: 'DKK' }),
      callbacks,
    );

    const real = await createPayment(
      shortLived,
      order({ shopOrderId: 'o-1', amount: '249.00', currency: 'DKK' }),
      callbacks,
    );

    expect(real).toMatchObject({ outcome: 'created', paymentRequestId: 'pr-2' });
    expect(gateway.requests.map((r) => r.amount)).toEqual(['0.01', '249.00']);
  });

  it(`refuses the order's attempt after ${paymentAttemptLimit} (409), without asking the gateway`, async () => {
    const { gateway, deps, order, callback } = setup();
    const input = { shopOrderId: 'o-1', amount: '100.00', currency: 'DKK' };
    for (let n = 1; n <= paymentAttemptLimit; n++) {
      await createPayment(deps, order(input), callbacks);
      await callback(
        'fail',
        transactionXml({
          shopOrderId: 'o-1',
          transactionId: `${n}`,
          status: 'epayment_cancelled',
          result: 'Cancelled',
        }),
      );
    }

    await expect(createPayment(deps, order(input), callbacks)).rejects.toMatchObject({
      status: 409,
      code: 'too_many_attempts',
      message: expect.stringContaining('new order id'),
    });
    expect(gateway.requests).toHaveLength(paymentAttemptLimit);
  });

  it('leaves no record when the gateway fails', async () => {
    const { store, gateway, deps, order } = setup();
    gateway.failWith = new GatewayError(
      'timeout',
      'AltaPay did not answer createPaymentRequest within 8000 ms.',
    );

    await expect(
      createPayment(deps, order({ shopOrderId: 'o-1', amount: '100.00', currency: 'DKK' }), callbacks),
    ).rejects.toBeInstanceOf(GatewayError);
    expect(store.payments.size).toBe(0);
  });
});

describe('reading an order', () => {
  const json = (value: Record<string, unknown>) => new TextEncoder().encode(orderJson(value));

  it.each([
    [
      'a missing amount',
      { shopOrderId: 'o', currency: 'DKK' },
      'Field amount is required and must look like 249.00',
    ],
    [
      'three decimals',
      { shopOrderId: 'o', amount: '1.005', currency: 'DKK' },
      'Field amount must look like 249.00: digits, a dot, at most 2 decimals',
    ],
    ['a zero amount', { shopOrderId: 'o', amount: '0.00', currency: 'DKK' }, 'more than 0'],
    [
      'decimals in a currency without minor units',
      { shopOrderId: 'o', amount: '100.50', currency: 'JPY' },
      'Field amount must not have more decimals than its currency has',
    ],
    [
      'an absurd amount',
      { shopOrderId: 'o', amount: '99999999999', currency: 'DKK' },
      'less than 1000000000',
    ],
    [
      'a number instead of a string',
      { shopOrderId: 'o', amount: 10, currency: 'DKK' },
      'Field amount must look like 249.00: digits, a dot, at most 2 decimals',
    ],
    [
      'an unknown currency',
      { shopOrderId: 'o', amount: '1.00', currency: 'XXX' },
      'Field currency must be a current ISO 4217 currency code',
    ],
    [
      'a withdrawn currency',
      { shopOrderId: 'o', amount: '1.00', currency: 'BGN' },
      'Field currency must be a current ISO 4217 currency code',
    ],
    [
      'markup in the order id',
      { shopOrderId: '<b>1</b>', amount: '1.00', currency: 'DKK' },
      'Field shopOrderId must be 1 to 100 letters',
    ],
    [
      'an unknown field',
      { shopOrderId: 'o', amount: '1.00', currency: 'DKK', admin: true },
      'Field admin is not accepted; the accepted fields are shopOrderId, amount,',
    ],
  ])('refuses %s with a 400 that names the field', (_, input, message) => {
    expect(() => parseOrder(json(input))).toThrowError(
      expect.objectContaining({ status: 400, message: expect.stringContaining(message) }),
    );
  });

  it('refuses a body that is not JSON', () => {
    expect(() => parseOrder(new TextEncoder().encode('{"shopOrderId":'))).toThrowError(
      expect.objectContaining({ status: 400, code: 'invalid_json' }),
    );
  });

  it('requires an expiry time in ISO 8601 UTC', () => {
    const withExpiry = (expiresAt: unknown) =>
      new TextEncoder().encode(
        JSON.stringify({ shopOrderId: 'o', amount: '1.00', currency: 'DKK', expiresAt }),
      );

    expect(parseOrder(withExpiry('2026-12-01T12:30:00Z')).expiresAt).toBe('2026-12-01T12:30:00Z');
    for (const [value, code] of [
      [undefined, 'missing_field'],
      ['2026-12-01 12:30:00', 'invalid_field'],
      ['2026-12-01T12:30:00+01:00', 'invalid_field'],
      [1796128200, 'invalid_field'],
    ] as const) {
      expect(() => parseOrder(withExpiry(value)), String(value)).toThrowError(
        expect.objectContaining({
          status: 400,
          code,
          message: expect.stringContaining('Field expiresAt'),
        }),
      );
    }
  });
});

describe('verifying an order before the charge', () => {
  async function verify(store: MemoryPaymentStore, fields: Record<string, string>, secrets: string[] = []) {
    return verifyOrder(
      { store, log: silent, callbackSecrets: secrets },
      new TextEncoder().encode(encodeFormBody(fields)),
    );
  }

  it('answers exactly OKAY for an unpaid order of the requested amount and currency (numeric as posted)', async () => {
    const { store, deps, order } = setup();
    await createPayment(deps, order({ shopOrderId: 'o-1', amount: '100.00', currency: 'DKK' }), callbacks);

    expect(await verify(store, { shop_orderid: 'o-1', amount: '100.00', currency: '208' })).toBe('OKAY');
    expect(await verify(store, { shop_orderid: 'o-1', amount: '100', currency: 'DKK' })).toBe('OKAY');
  });

  it('refuses another amount or currency with a customer-safe reason', async () => {
    const { store, deps, order } = setup();
    await createPayment(deps, order({ shopOrderId: 'o-1', amount: '100.00', currency: 'DKK' }), callbacks);

    expect(await verify(store, { shop_orderid: 'o-1', amount: '1.00', currency: '208' })).toMatch(
      /amount does not match/,
    );
    expect(await verify(store, { shop_orderid: 'o-1', amount: '100.00', currency: '978' })).toMatch(
      /amount does not match/,
    );
  });

  it('refuses an order we never created, and one already paid', async () => {
    const { store, deps, order, callback } = setup();
    await createPayment(deps, order({ shopOrderId: 'o-1', amount: '100.00', currency: 'DKK' }), callbacks);
    await callback(
      'ok',
      transactionXml({ shopOrderId: 'o-1', transactionId: '1', status: 'preauth', reserved: '100.00' }),
    );

    expect(await verify(store, { shop_orderid: 'nobody', amount: '1.00', currency: '208' })).toMatch(
      /could not find this order/,
    );
    expect(await verify(store, { shop_orderid: 'o-1', amount: '100.00', currency: '208' })).toMatch(
      /already been paid/,
    );
  });

  const paymentsOfOrder = {
    reserved: { status: 'preauth', reserved: '100.00' },
    captured: { status: 'captured', reserved: '100.00', captured: '100.00' },
    released: { status: 'released', reserved: '100.00' },
    refunded: { status: 'refunded', reserved: '100.00', captured: '100.00', refunded: '100.00' },
  } as const;

  it.each([
    ['reserved', /already been paid/],
    ['captured', /already been paid/],
    ['released', /closed and cannot be paid again/],
    ['refunded', /closed and cannot be paid again/],
  ] as const)(
    'gives no OKAY to an order whose payment is %s, even for its exact amount',
    async (status, reason) => {
      const { store, deps, order, callback } = setup();
      await createPayment(deps, order({ shopOrderId: 'o-1', amount: '100.00', currency: 'DKK' }), callbacks);
      await callback(
        'notification',
        transactionXml({ shopOrderId: 'o-1', transactionId: '1', ...paymentsOfOrder[status] }),
      );
      expect(store.payments.get('o-1')?.status).toBe(status);

      expect(await verify(store, { shop_orderid: 'o-1', amount: '100.00', currency: '208' })).toMatch(reason);
    },
  );

  it('gives no OKAY while another payment of the order is being processed', async () => {
    const { store, deps, order, callback } = setup();
    await createPayment(deps, order({ shopOrderId: 'o-1', amount: '100.00', currency: 'DKK' }), callbacks);
    await callback(
      'open',
      transactionXml({ shopOrderId: 'o-1', transactionId: '1', status: 'bank_payment_open' }),
    );

    expect(await verify(store, { shop_orderid: 'o-1', amount: '100.00', currency: '208' })).toMatch(
      /already being processed/,
    );
  });

  it('gives no OKAY while a callback claims the order is paid and the gateway has not confirmed it', async () => {
    const { store, deps, order, claim } = setup();
    await createPayment(deps, order({ shopOrderId: 'o-1', amount: '100.00', currency: 'DKK' }), callbacks);
    await claim(
      'notification',
      transactionXml({ shopOrderId: 'o-1', transactionId: '1', status: 'captured', captured: '100.00' }),
    );

    expect(await verify(store, { shop_orderid: 'o-1', amount: '100.00', currency: '208' })).toMatch(
      /already being processed/,
    );
  });

  it('answers OKAY again after a declined attempt: the customer may retry', async () => {
    const { store, deps, order, callback } = setup();
    await createPayment(deps, order({ shopOrderId: 'o-1', amount: '100.00', currency: 'DKK' }), callbacks);
    await callback(
      'fail',
      transactionXml({
        shopOrderId: 'o-1',
        transactionId: '1',
        status: 'epayment_declined',
        result: 'Failed',
      }),
    );

    expect(await verify(store, { shop_orderid: 'o-1', amount: '100.00', currency: '208' })).toBe('OKAY');
  });

  it('requires the checksum when a secret is configured', async () => {
    const { store } = setup();

    await expect(
      verify(store, { shop_orderid: 'o-1', amount: '1.00', currency: '208' }, ['s']),
    ).rejects.toMatchObject({ status: 403 });
    expect(
      await verify(store, signed({ shop_orderid: 'o-1', amount: '1.00', currency: '208' }, 's'), ['s']),
    ).toMatch(/could not find/);
  });
});
