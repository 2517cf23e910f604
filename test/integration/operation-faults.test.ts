import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';

/**
 * A capture whose answer never comes back (the simulator does it, then holds the answer; our call
 * times out after 500 ms): the gateway is looked at before anything is asked again, so a retry with
 * the same Idempotency-Key never captures twice, and the merchant hears of the capture once.
 */
const stack = useLocalStack({ ALTAPAY_GATEWAY_TIMEOUT_MS: '500' });

async function capture(order: string, key: string, amount = '40.00') {
  const response = await fetch(`${stack.apiUrl}/payments/${order}/captures`, {
    method: 'POST',
    headers: { 'idempotency-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({ amount }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function reserved(order: string): Promise<void> {
  await stack.simulator.pay(await stack.createPayment(order, '100.00'), 'success');
  await stack.merchant.waitFor((events) => events.some((e) => e.shopOrderId === order));
  await stack.workSettled();
}

const capturesAtGateway = (order: string) =>
  stack.simulator.operations(order).filter((o) => o.method === 'captureReservation').length;

async function eventTypes(order: string): Promise<string[]> {
  await stack.workSettled();
  return stack.merchant
    .accepted()
    .filter((e) => e.shopOrderId === order)
    .map((e) => e.type);
}

describe('a capture whose answer is lost', () => {
  it('is found at the gateway at once: 201, one capture, and the retry with the key calls nothing', async () => {
    const order = 'opf-found';
    await reserved(order);
    const key = randomUUID();
    stack.simulator.failNext('answer-lost', 'captureReservation');

    const first = await capture(order, key);
    const retry = await capture(order, key);

    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      operation: { state: 'done', detail: 'the answer was lost; the gateway shows it happened' },
      payment: { capturedAmount: '40.00' },
    });
    expect(retry).toEqual(first);
    expect(capturesAtGateway(order)).toBe(1);
    expect(await eventTypes(order)).toEqual(['payment.reserved', 'payment.captured']);
  });

  it('is unknown while the gateway cannot be asked either (503), and the retry looks first and does not capture again', async () => {
    const order = 'opf-unknown';
    await reserved(order);
    const key = randomUUID();
    stack.simulator.failNext('answer-lost', 'captureReservation');
    stack.simulator.failNext('timeout', 'payments');

    const first = await capture(order, key);

    expect(first.status).toBe(503);
    expect(first.body).toMatchObject({ error: 'outcome_unknown', operation: { state: 'unknown' } });
    expect(String(first.body.message)).toContain('retry with the same Idempotency-Key');
    // It did happen at the gateway; we do not know it yet, so nothing is told.
    expect(stack.simulator.transactions(order)[0]).toMatchObject({ capturedAmount: '40.00' });
    expect(await eventTypes(order)).toEqual(['payment.reserved']);

    const retry = await capture(order, key);

    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ operation: { state: 'done' }, payment: { capturedAmount: '40.00' } });
    expect(capturesAtGateway(order)).toBe(1);
    expect(await eventTypes(order)).toEqual(['payment.reserved', 'payment.captured']);
  });

  it('that never reached the gateway is asked again by the retry, once: one capture in all', async () => {
    const order = 'opf-never-arrived';
    await reserved(order);
    const key = randomUUID();
    // The gateway holds the call and does nothing: our side cannot tell this from a lost answer.
    stack.simulator.failNext('timeout', 'captureReservation');

    const first = await capture(order, key);
    expect(first.status).toBe(503);
    expect(capturesAtGateway(order)).toBe(0);

    const retry = await capture(order, key);

    expect(retry.status).toBe(201);
    expect(capturesAtGateway(order)).toBe(1);
    expect(stack.simulator.transactions(order)[0]).toMatchObject({ capturedAmount: '40.00' });
    expect(await eventTypes(order)).toEqual(['payment.reserved', 'payment.captured']);
  });
});
