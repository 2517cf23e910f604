import { describe, expect, it } from 'vitest';
import { claimedStatus } from '../support/claimed-status';
import type { FaultMode } from '../support/fault-proxy';
import { eventually, useLocalStack } from '../support/local-stack';
import { signedJsonRequest } from '../support/signed-order';

/**
 * "Nothing acknowledged is lost", with the handlers' DynamoDB and SQS behind fault proxies: every
 * callback answered 2xx ends recorded and handed to the merchant exactly once, whichever dependency
 * was away; a callback that could be kept nowhere is answered 503 so the gateway retries it. The
 * test itself reads the emulators directly. The sweeper is run by hand (its timer is slowed down).
 */
const stack = useLocalStack(
  // A terminal secret, as on AWS: callbacks carry a checksum and queued callbacks are sealed with a real key.
  { SWEEP_MIN_AGE_SECONDS: '0', ALTAPAY_CALLBACK_SECRET: 'worker-faults-terminal-secret' },
  { faults: true, visibilityTimeoutSeconds: 2, scheduleIntervalMs: 600_000 },
);

const n = 10;

interface Order {
  readonly shopOrderId: string;
  readonly paymentRequestId: string;
}

async function createOrders(prefix: string): Promise<Order[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const shopOrderId = `${prefix}-${i + 1}`;
      return { shopOrderId, paymentRequestId: await stack.createPayment(shopOrderId, `${10 + i}.00`) };
    }),
  );
}

/** The gateway's ok callbacks for `orders`, as the simulator saw them answered. */
const okCallbacks = (orders: readonly Order[]) =>
  stack.simulator.deliveries.filter(
    (d) => d.type === 'ok' && orders.some((o) => o.shopOrderId === d.fields.shop_orderid),
  );

const acknowledged = (orders: readonly Order[]) =>
  okCallbacks(orders).filter((d) => d.status !== undefined && d.status >= 200 && d.status < 300);

/**
 * Payments recorded as `reserved`, read through the status API: confirmed, or claimed by their ok
 * callback while the worker has not asked the gateway yet.
 */
async function stored(orders: readonly Order[]): Promise<Order[]> {
  const views = await Promise.all(orders.map((o) => stack.payment(o.shopOrderId)));
  return orders.filter((_, i) => {
    const view = views[i];
    return view !== undefined && claimedStatus(view) === 'reserved';
  });
}

/** The payment.reserved events the merchant accepted for `orders`: one distinct id per order, or the test fails. */
function delivered(orders: readonly Order[]): string[] {
  const ids: string[] = [];
  for (const { shopOrderId } of orders) {
    const events = stack.merchant.accepted().filter((e) => e.shopOrderId === shopOrderId);
    const distinct = [...new Set(events.map((e) => e.id))];
    expect(distinct.length, `distinct events for ${shopOrderId}`).toBeLessThanOrEqual(1);
    expect(events.every((e) => e.type === 'payment.reserved')).toBe(true);
    ids.push(...distinct);
  }
  return ids;
}

const allDelivered = (orders: readonly Order[]) =>
  stack.merchant.waitFor(
    (events) => orders.every((o) => events.some((e) => e.shopOrderId === o.shopOrderId)),
    15_000,
  );

/**
 * Pays every order, taking DynamoDB and/or SQS away between the gateway's verify-order question
 * (which needs the table) and its ok callback.
 */
async function payWhileAway(orders: readonly Order[], away: () => void): Promise<void> {
  const { simulator } = stack;
  simulator.delivery.delayMs = 1_500;
  try {
    const paying = orders.map((o) => simulator.pay(o.paymentRequestId, 'success'));
    await eventually('every verify-order answered', () => {
      const verified = simulator.deliveries.filter(
        (d) => d.type === 'verify_order' && orders.some((o) => o.shopOrderId === d.fields.shop_orderid),
      );
      return verified.length === orders.length ? true : undefined;
    });
    expect(okCallbacks(orders), 'no ok callback before the fault').toEqual([]);
    away();
    await Promise.all(paying);
  } finally {
    simulator.delivery.delayMs = 0;
  }
}

describe('nothing acknowledged is lost', () => {
  it.each<FaultMode>(['down', 'throttle', 'slow'])(
    'SQS %s: callbacks are answered 2xx from the outbox; the sweeper queues them once SQS is back',
    async (mode) => {
      const orders = await createOrders(`wf-sqs-${mode}`);
      stack.faults.sqs.set(mode);
      await Promise.all(orders.map((o) => stack.simulator.pay(o.paymentRequestId, 'success')));

      expect(acknowledged(orders)).toHaveLength(n);
      expect(await stored(orders)).toHaveLength(n);
      await stack.workerIdle();
      expect(delivered(orders)).toEqual([]);
      for (const { shopOrderId } of orders) {
        const [payment] = (await stack.orderItems(shopOrderId)).filter(
          (item) => item.recordKey === 'payment',
        );
        expect(Object.keys((payment?.pendingWork ?? {}) as object), `outbox of ${shopOrderId}`).toHaveLength(
          1,
        );
      }

      stack.faults.sqs.set('pass');
      expect(await stack.sweepNow()).toMatchObject({ found: n, queued: n, failed: 0 });
      await allDelivered(orders);
      await stack.workSettled();

      expect(new Set(delivered(orders)).size).toBe(n);
      expect(acknowledged(orders).length).toBe((await stored(orders)).length);
      expect(await stack.sweepNow()).toMatchObject({ found: 0 });
    },
  );

  it.each<FaultMode>(['down', 'throttle', 'slow'])(
    'DynamoDB %s: callbacks are answered 2xx through the queue, and recorded once the table is back',
    async (mode) => {
      const orders = await createOrders(`wf-ddb-${mode}`);
      await payWhileAway(orders, () => stack.faults.dynamodb.set(mode));

      expect(acknowledged(orders)).toHaveLength(n);
      for (const { shopOrderId } of orders) {
        const [payment] = (await stack.orderItems(shopOrderId)).filter(
          (item) => item.recordKey === 'payment',
        );
        // Not recorded yet: the callback's facts wait on the queue (the worker fails them until the table is back).
        expect(payment).toMatchObject({ status: 'created', transactions: {} });
      }
      expect(delivered(orders)).toEqual([]);

      stack.faults.dynamodb.set('pass');
      await allDelivered(orders);
      await stack.workSettled();

      expect(new Set(delivered(orders)).size).toBe(n);
      expect(await stored(orders)).toHaveLength(n);
      expect(acknowledged(orders)).toHaveLength(n);
      expect(await stack.deadLetters()).toEqual([]);
    },
  );

  it('both down: callbacks are answered 503 and nothing is kept, until the gateway retries', async () => {
    const orders = await createOrders('wf-both');
    await payWhileAway(orders, () => {
      stack.faults.dynamodb.set('down');
      stack.faults.sqs.set('down');
    });

    const refused = okCallbacks(orders);
    expect(refused.map((d) => d.status)).toEqual(Array(n).fill(503));
    for (const d of refused) expect(JSON.parse(d.body)).toMatchObject({ error: 'temporarily_unavailable' });

    stack.faults.dynamodb.set('pass');
    stack.faults.sqs.set('pass');
    await stack.sweepNow();
    await stack.workSettled();
    expect(acknowledged(orders)).toEqual([]);
    expect(await stored(orders)).toEqual([]);
    expect(delivered(orders)).toEqual([]);

    // The gateway retries a callback it did not get a 2xx for: now it is kept, recorded and handed on.
    for (const { shopOrderId } of orders) await stack.simulator.resend(shopOrderId, 'ok');
    await allDelivered(orders);
    await stack.workSettled();
    expect(acknowledged(orders)).toHaveLength(n);
    expect(await stored(orders)).toHaveLength(n);
    expect(new Set(delivered(orders)).size).toBe(n);
  });

  it('gateway down: create-payment answers 502 and keeps nothing; the worker keeps its work until the gateway is back', async () => {
    const orders = await createOrders('wf-gw');
    stack.faults.gateway.set('down');

    const refused = await fetch(
      `${stack.apiUrl}/payments`,
      signedJsonRequest({ shopOrderId: 'wf-gw-new', amount: '10.00', currency: 'DKK' }, stack.shopOrderKey),
    );
    expect(refused.status).toBe(502);
    expect(await refused.json()).toMatchObject({ error: 'gateway_error', reason: 'unreachable' });
    expect(await stack.payment('wf-gw-new')).toBeUndefined();

    // The gateway takes payments, but our worker cannot reach it to confirm them.
    await Promise.all(orders.map((o) => stack.simulator.pay(o.paymentRequestId, 'success')));
    expect(acknowledged(orders)).toHaveLength(n);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(delivered(orders)).toEqual([]);

    stack.faults.gateway.set('pass');
    await allDelivered(orders);
    await stack.workSettled();
    expect(new Set(delivered(orders)).size).toBe(n);
    expect(await stack.deadLetters()).toEqual([]);
  });

  // Last: it leaves a parked message, which the scenarios above assert there is none of.
  it('DynamoDB down: the queue holds no card data; a copy changed on the queue is parked, the real one recorded', async () => {
    const orders = await Promise.all(
      ['wf-seal-1', 'wf-seal-2'].map(async (shopOrderId) => ({
        shopOrderId,
        paymentRequestId: await stack.createPayment(shopOrderId, '249.00'),
      })),
    );
    await stack.pauseWorker();
    await payWhileAway(orders, () => stack.faults.dynamodb.set('down'));
    const queued = (await stack.takeWork()).map((m) => m.body);
    stack.faults.dynamodb.set('pass');

    // The raw SQS bodies, against everything card-like the gateway posted in those callbacks.
    expect(queued).toHaveLength(2);
    const posted = okCallbacks(orders).flatMap((d) => [
      d.fields.credit_card_token,
      d.fields.blacklist_token,
      d.fields.masked_credit_card,
      d.fields.checksum,
    ]);
    expect(posted.filter(Boolean).length).toBe(8);
    for (const body of queued) {
      for (const value of posted) expect(body).not.toContain(value);
      expect(body).not.toMatch(/\d{6}\*{2,}\d{2,4}|[\w.+-]+@[\w-]+\.[a-z]{2,}|APIResponse|token|checksum/i);
      expect(JSON.parse(body)).toMatchObject({ kind: 'sealed-callback' });
    }
    // Someone with access to the queue lowers the first order's amount.
    const [first, second] = queued.map((body) => JSON.parse(body) as { callback: string; mac: string });
    if (first === undefined || second === undefined) throw new Error('two callbacks were queued');
    const lowered = first.callback.replace(/"reservedAmount":"[^"]+"/g, '"reservedAmount":"1.00"');
    expect(lowered).not.toBe(first.callback);
    await stack.sendWork(JSON.stringify({ kind: 'sealed-callback', callback: lowered, mac: first.mac }));
    await stack.sendWork(JSON.stringify({ kind: 'sealed-callback', ...second }));
    stack.resumeWorker();
    await stack.workSettled();

    const tampered = JSON.parse(first.callback).shopOrderId as string;
    const [parked, ...more] = await stack.deadLetters();
    expect(more).toEqual([]);
    expect(parked?.messageAttributes.failureReason).toMatch(
      /does not match its MAC: it was changed on the queue/,
    );
    expect(parked?.messageAttributes.attempts).toBe('1');
    // The parked copy carries no card data either.
    for (const value of posted) expect(parked?.body).not.toContain(value);
    expect(parked?.body).not.toMatch(/\d{6}\*{2,}\d{2,4}|APIResponse|token|checksum/i);
    expect((await stack.payment(tampered))?.status).toBe('created');
    const real = orders.find((o) => o.shopOrderId !== tampered);
    expect((await stack.payment(real?.shopOrderId ?? ''))?.status).toBe('reserved');
    expect(delivered(orders)).toHaveLength(1);
  });
});
