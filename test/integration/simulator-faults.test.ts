import { describe, expect, it } from 'vitest';
import { eventually, useLocalStack } from '../support/local-stack';
import { signedJsonRequest } from '../support/signed-order';

/**
 * The faults a merchant rehearses (docs/altapay-protocol.md §12), each on the whole local stack over
 * real HTTP: queued through the simulator's control API (`POST /control/faults`) or chosen on the
 * payment page (the form's `fault` field), the customer's click posted as the browser posts it, then
 * what the merchant's product made of it: the status API, the merchant events, the customer's page.
 *
 * Small limits keep it quick: our gateway client gives up after 1 s, the simulated gateway waits
 * 1.5 s for a callback's answer, and the reconciler asks about requests unanswered for a second, but
 * only when a test runs it (its timer is an hour), so no run of it takes a fault meant for another call.
 */
const stack = useLocalStack(
  { ALTAPAY_GATEWAY_TIMEOUT_MS: '1000' },
  { reconcileAfterSeconds: 1, scheduleIntervalMs: 3_600_000, gatewayAnswerTimeoutMs: 1_500 },
);

/** POST /control/faults, as a shop developer's curl does it. */
async function queueFault(fault: Record<string, unknown>): Promise<unknown> {
  const response = await fetch(`${stack.simulator.url}/control/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { queued: unknown }).queued;
}

async function pendingFaults(): Promise<unknown[]> {
  const response = await fetch(`${stack.simulator.url}/control/faults`);
  return ((await response.json()) as { pending: unknown[] }).pending;
}

/** The customer's click on the payment page: the form post, redirects not followed. */
async function click(pid: string, outcome: string, form: Record<string, string> = {}) {
  const response = await fetch(`${stack.simulator.url}/eCommerce/API/pay?pid=${encodeURIComponent(pid)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ outcome, ...form }).toString(),
    redirect: 'manual',
  });
  return { status: response.status, text: await response.text() };
}

/** POST /payments as the shop's back end does, answering whatever comes back. */
async function startPayment(shopOrderId: string, amount = '100.00') {
  const response = await fetch(
    `${stack.apiUrl}/payments`,
    signedJsonRequest({ shopOrderId, amount, currency: 'DKK' }, stack.shopOrderKey),
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The customer sees our ok page, as the gateway serves it (200, scripts removed). */
function expectShopPaidPage(page: { status: number; text: string }): void {
  expect(page.status).toBe(200);
  expect(page.text).toContain('your payment is confirmed');
}

const callbacksTo = (order: string) =>
  stack.simulator.deliveries.filter((d) => d.fields.shop_orderid === order && d.type !== 'verify_order');

async function merchantEvents(order: string): Promise<string[]> {
  await stack.workSettled();
  return stack.merchant
    .accepted()
    .filter((e) => e.shopOrderId === order)
    .map((e) => e.type);
}

async function confirmedWork(order: string) {
  return (await stack.orderItems(order)).filter((item) => String(item.recordKey).startsWith('work#'));
}

describe('callback-lost', () => {
  it('leaves the shop unaware until the reconciler asks the gateway, which records the payment confirmed, with one event', async () => {
    const order = 'fault-lost';
    const pid = await stack.createPayment(order, '249.00');
    expect(await queueFault({ fault: 'callback-lost' })).toEqual({ fault: 'callback-lost' });

    const page = await click(pid, 'success');

    expect(page.status).toBe(200);
    expect(page.text).toContain('Payment completed');
    expect(callbacksTo(order)).toEqual([]);
    expect((await stack.payment(order))?.status).toBe('created');

    await eventually('a second since the payment request', async () => {
      await stack.reconcileNow();
      const payment = await stack.payment(order);
      return payment?.status === 'reserved' ? payment : undefined;
    });
    const reserved = await stack.waitForStatus(order, 'reserved');
    expect(reserved.callbackLog).toEqual([expect.objectContaining({ callbackType: 'reconciled' })]);
    expect(reserved.transactions).toEqual([
      expect.objectContaining({ gatewayStatus: 'preauth', reservedAmount: '249.00', confirmed: true }),
    ]);
    expect(await merchantEvents(order)).toEqual(['payment.reserved']);
    expect(await pendingFaults()).toEqual([]);
  });
});

describe('callback-slow', () => {
  it('past the gateway answer timeout: the customer gets the gateway page saying the shop did not answer, and the late callback still makes the payment reserved', async () => {
    const order = 'fault-slow-late';
    const pid = await stack.createPayment(order);
    await queueFault({ fault: 'callback-slow', seconds: 2.5 });

    const page = await click(pid, 'success');

    expect(page.status).toBe(504);
    expect(page.text).toContain('The shop did not answer in time');
    expect(page.text).toContain(order);
    const reserved = await stack.waitForStatus(order, 'reserved', 10_000);
    expect(reserved.transactions).toEqual([expect.objectContaining({ gatewayStatus: 'preauth' })]);
    expect(callbacksTo(order).map((d) => [d.type, d.status])).toEqual([['ok', 200]]);
    expect(await merchantEvents(order)).toEqual(['payment.reserved']);
  });

  it('chosen on the payment page, within the timeout: the customer waits and gets the shop page', async () => {
    const order = 'fault-slow-page';
    const pid = await stack.createPayment(order);
    const form = await fetch(`${stack.simulator.url}/eCommerce/API/requestForm?pid=${pid}`);
    const html = await form.text();
    expect(html).toContain('<select id="fault" name="fault">');
    expect(html).toContain('<option value="callback-slow">The result callback is sent late');

    const page = await click(pid, 'success', { fault: 'callback-slow', seconds: '0.3' });

    expectShopPaidPage(page);
    expect(callbacksTo(order).map((d) => d.type)).toEqual(['ok']);
    await stack.waitForStatus(order, 'reserved');
    expect(await merchantEvents(order)).toEqual(['payment.reserved']);
  });
});

describe('callback-twice', () => {
  it('delivers the result twice; the payment is reserved once, the second logged as a duplicate, and the merchant told once', async () => {
    const order = 'fault-twice';
    const pid = await stack.createPayment(order);

    const page = await click(pid, 'success', { fault: 'callback-twice' });

    expectShopPaidPage(page);
    expect(callbacksTo(order).map((d) => [d.type, d.status])).toEqual([
      ['ok', 200],
      ['ok', 200],
    ]);
    const reserved = await stack.waitForStatus(order, 'reserved');
    expect(reserved.transactions).toHaveLength(1);
    expect(reserved.callbackLog.map((e) => [e.callbackType, e.duplicate])).toEqual([
      ['ok', false],
      ['ok', true],
    ]);
    expect(await merchantEvents(order)).toEqual(['payment.reserved']);
  });
});

describe('notification-before-ok', () => {
  it('sends the final notification before callback_ok; the payment is paid once', async () => {
    const order = 'fault-notification-first';
    const pid = await stack.createPayment(order);
    await queueFault({ fault: 'notification-before-ok' });

    const page = await click(pid, 'success');

    expectShopPaidPage(page);
    expect(callbacksTo(order).map((d) => d.type)).toEqual(['notification', 'ok']);
    const reserved = await stack.waitForStatus(order, 'reserved');
    expect(reserved.transactions).toEqual([expect.objectContaining({ gatewayStatus: 'preauth' })]);
    expect(await merchantEvents(order)).toEqual(['payment.reserved']);
  });
  it('on a pending payment: the final notification first, then a stale callback_open that undoes nothing', async () => {
    const order = 'fault-notification-first-open';
    const pid = await stack.createPayment(order);
    await queueFault({ fault: 'notification-before-ok' });

    const page = await click(pid, 'open-success');

    expect(page.status).toBe(200);
    expect(callbacksTo(order).map((d) => d.type)).toEqual(['notification', 'open']);
    const reserved = await stack.waitForStatus(order, 'reserved');
    expect(reserved.callbackLog.map((e) => e.callbackType)).toEqual(['notification', 'open']);
    const events = await merchantEvents(order);
    expect(events).toEqual(['payment.reserved']);
    expect((await stack.payment(order))?.status).toBe('reserved');
  });
});

describe('ok-after-fail', () => {
  it("delivers an earlier attempt's callback_fail, then callback_ok; the payment ends reserved, confirmed by the gateway", async () => {
    const order = 'fault-ok-after-fail';
    const pid = await stack.createPayment(order);
    await queueFault({ fault: 'ok-after-fail' });

    const page = await click(pid, 'success');

    expectShopPaidPage(page);
    expect(callbacksTo(order).map((d) => d.type)).toEqual(['fail', 'ok']);
    expect(stack.simulator.transactions(order).map((t) => t.transactionStatus)).toEqual([
      'preauth_error',
      'preauth',
    ]);
    const reserved = await stack.waitForStatus(order, 'reserved');
    expect(reserved.transactions.find((t) => t.gatewayStatus === 'preauth')).toMatchObject({
      reservedAmount: '100.00',
      confirmed: true,
    });
    // The declined attempt may be told first (payment.failed), depending on when the worker ran: the
    // last word is reserved, told once.
    const events = await merchantEvents(order);
    expect(events.at(-1)).toBe('payment.reserved');
    expect(events.filter((type) => type === 'payment.reserved')).toHaveLength(1);
  });
});

describe('api-down', () => {
  it('on createPaymentRequest: create-payment answers 502, nothing is stored or half-made, and the retry works', async () => {
    const order = 'fault-api-down';
    await queueFault({ fault: 'api-down', method: 'createPaymentRequest' });

    const first = await startPayment(order);

    expect(first.status).toBe(502);
    expect(first.body).toMatchObject({ error: 'gateway_error', reason: 'unreachable' });
    expect(String(first.body.message)).toMatch(/AltaPay could not be reached/);
    expect(await stack.payment(order)).toBeUndefined();
    expect(stack.simulator.paymentRequestsFor(order)).toEqual([]);

    const retry = await startPayment(order);

    expect(retry.status).toBe(201);
    expect(stack.simulator.paymentRequestsFor(order)).toHaveLength(1);
    expect((await stack.payment(order))?.status).toBe('created');
  });

  it("on the worker's payments lookup: the confirmation is retried, not lost, and the merchant is told once", async () => {
    const order = 'fault-api-down-worker';
    const pid = await stack.createPayment(order);
    await queueFault({ fault: 'api-down', method: 'payments' });
    const retried: string[] = [];
    const stopListening = stack.onWorkerBatch((batch) => retried.push(...batch.failedIds));

    await click(pid, 'success');

    const reserved = await stack.waitForStatus(order, 'reserved', 15_000);
    stopListening();
    // The lookup failed once: its message went back to the queue and was taken again.
    expect(retried).toHaveLength(1);
    expect(reserved.transactions).toEqual([expect.objectContaining({ confirmed: true })]);
    expect(await pendingFaults()).toEqual([]);
    expect(await merchantEvents(order)).toEqual(['payment.reserved']);
    expect(await confirmedWork(order)).toEqual([expect.objectContaining({ state: 'done' })]);
    expect(await stack.deadLetters()).toEqual([]);
  });
});

describe('api-slow', () => {
  it('past our client timeout on createPaymentRequest: 502 timeout, nothing stored on our side, and the retry works', async () => {
    const order = 'fault-api-slow';
    await queueFault({ fault: 'api-slow', seconds: 2, method: 'createPaymentRequest' });

    const first = await startPayment(order);

    expect(first.status).toBe(502);
    expect(first.body).toMatchObject({ error: 'gateway_error', reason: 'timeout' });
    expect(await stack.payment(order)).toBeUndefined();

    const retry = await startPayment(order);

    expect(retry.status).toBe(201);
    const pid = String(retry.body.paymentRequestId);
    await click(pid, 'success');
    await stack.waitForStatus(order, 'reserved');
    expect(await merchantEvents(order)).toEqual(['payment.reserved']);
  });

  it("past our client timeout on the worker's payments lookup: retried, and the payment confirmed", async () => {
    const order = 'fault-api-slow-worker';
    const pid = await stack.createPayment(order);
    await queueFault({ fault: 'api-slow', seconds: 2, method: 'payments' });
    const retried: string[] = [];
    const stopListening = stack.onWorkerBatch((batch) => retried.push(...batch.failedIds));

    await click(pid, 'success');

    const reserved = await stack.waitForStatus(order, 'reserved', 15_000);
    stopListening();
    // The lookup failed once: its message went back to the queue and was taken again.
    expect(retried).toHaveLength(1);
    expect(reserved.transactions).toEqual([expect.objectContaining({ confirmed: true })]);
    expect(await pendingFaults()).toEqual([]);
    expect(await merchantEvents(order)).toEqual(['payment.reserved']);
  });
});

describe.each([
  ['api-result-error', 'Simulated error: the gateway could not process the request'],
  ['api-header-error', 'This request has error'],
])('%s', (fault, gatewaySays) => {
  it('on createPaymentRequest: a clear refusal (502 rejected, naming what AltaPay said), nothing stored, and the retry works', async () => {
    const order = `fault-${fault}`;
    await queueFault({ fault, method: 'createPaymentRequest' });

    const first = await startPayment(order);

    expect(first.status).toBe(502);
    expect(first.body).toMatchObject({ error: 'gateway_error', reason: 'rejected' });
    expect(String(first.body.message)).toContain(gatewaySays);
    expect(await stack.payment(order)).toBeUndefined();
    expect((await startPayment(order)).status).toBe(201);
  });
});
