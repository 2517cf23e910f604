import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';

/**
 * The merchant's back office over real HTTP on the whole local stack (API with the real handlers,
 * dynalite, local SQS, the worker, the AltaPay simulator, the merchant endpoint): issue 15's first
 * "Done when" line, step by step, each step with exactly one merchant event.
 */
const stack = useLocalStack();

type Kind = 'captures' | 'refunds' | 'releases';

/** POST /payments/{order}/<kind> as the merchant's back end sends it. */
async function operate(
  order: string,
  kind: Kind,
  body?: Record<string, unknown>,
  key: string = randomUUID(),
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${stack.apiUrl}/payments/${order}/${kind}`, {
    method: 'POST',
    headers: { 'idempotency-key': key, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    headers: response.headers,
  };
}

/** A reserved payment of `amount`, its payment.reserved event told. */
async function reserved(order: string, amount: string): Promise<void> {
  await stack.simulator.pay(await stack.createPayment(order, amount), 'success');
  await stack.merchant.waitFor((events) => events.some((e) => e.shopOrderId === order));
  await stack.workSettled();
}

/** The merchant events of the order accepted since `seen` of them, once the worker is done. */
async function eventsAfter(order: string, seen: number) {
  await stack.workSettled();
  return stack.merchant
    .accepted()
    .filter((e) => e.shopOrderId === order)
    .slice(seen)
    .map((e) => e.body as { type: string; data: Record<string, unknown> });
}

const captures = (order: string) =>
  stack.simulator.operations(order).filter((o) => o.method === 'captureReservation');

describe('capture, refund and release on demand', () => {
  it('captures part, answers a repeat from the record, refuses too much, captures the rest, refunds part, refuses a release: one event each', async () => {
    const order = 'ops-249';
    await reserved(order, '249.00');
    let seen = 1;
    const step = async () => {
      const events = await eventsAfter(order, seen);
      seen += events.length;
      return events;
    };

    const key = randomUUID();
    const first = await operate(order, 'captures', { amount: '100.00' }, key);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      operation: { kind: 'capture', idempotencyKey: key, amount: '100.00', state: 'done', result: 'Success' },
      payment: {
        status: 'captured',
        reservedAmount: '249.00',
        capturedAmount: '100.00',
        refundedAmount: '0.00',
      },
    });
    expect(first.body.operation).toMatchObject({ requestedBy: 'local' });
    const [captured, ...noMore] = await step();
    expect(noMore).toEqual([]);
    expect(captured).toMatchObject({
      type: 'payment.captured',
      data: { operation: { kind: 'capture', amount: '100.00', partial: true, idempotencyKey: key } },
    });

    const repeat = await operate(order, 'captures', { amount: '100.00' }, key);
    expect(repeat.status).toBe(201);
    expect(repeat.body).toEqual(first.body);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(captures(order)).toHaveLength(1);
    expect((await stack.payment(order))?.transactions[0]).toMatchObject({ capturedAmount: '100.00' });
    expect(await step()).toEqual([]);

    const tooMuch = await operate(order, 'captures', { amount: '200.00' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body).toEqual({
      error: 'amount_too_large',
      message: 'Field amount 200.00 is more than the 149.00 left to capture.',
    });
    expect(captures(order)).toHaveLength(1);
    expect(await step()).toEqual([]);

    const rest = await operate(order, 'captures');
    expect(rest.status).toBe(201);
    expect(rest.body).toMatchObject({
      operation: { amount: '149.00' },
      payment: { capturedAmount: '249.00' },
    });
    // The status stays captured, and still the merchant hears of this capture.
    const [restEvent, ...noMoreRest] = await step();
    expect(noMoreRest).toEqual([]);
    expect(restEvent).toMatchObject({
      type: 'payment.captured',
      data: { status: 'captured', operation: { amount: '149.00', partial: false } },
    });

    const refund = await operate(order, 'refunds', { amount: '50.00' });
    expect(refund.status).toBe(201);
    expect(refund.body).toMatchObject({
      payment: { status: 'captured', capturedAmount: '249.00', refundedAmount: '50.00' },
    });
    const [refunded, ...noMoreRefunds] = await step();
    expect(noMoreRefunds).toEqual([]);
    expect(refunded).toMatchObject({
      type: 'payment.refunded',
      data: { operation: { kind: 'refund', amount: '50.00', partial: true } },
    });

    const release = await operate(order, 'releases');
    expect(release.status).toBe(409);
    expect(release.body).toMatchObject({ error: 'cannot_release' });
    expect(release.body.message).toMatch(/249\.00 of it is captured.*refund it instead/);
    expect(await step()).toEqual([]);
    expect(stack.simulator.operations(order).map((o) => [o.method, o.amount, o.result])).toEqual([
      ['captureReservation', '100.00', 'Success'],
      ['captureReservation', '149.00', 'Success'],
      ['refundCapturedReservation', '50.00', 'Success'],
    ]);
  });

  it('releases another reserved order: released, and one payment.released event', async () => {
    const order = 'ops-release';
    await reserved(order, '99.95');

    const release = await operate(order, 'releases');

    expect(release.status).toBe(201);
    expect(release.body).toMatchObject({
      operation: { kind: 'release', amount: '99.95' },
      payment: { status: 'released' },
    });
    expect(await eventsAfter(order, 1)).toEqual([
      expect.objectContaining({
        type: 'payment.released',
        data: expect.objectContaining({ status: 'released', previousStatus: 'reserved' }),
      }),
    ]);
    expect((await stack.payment(order))?.status).toBe('released');
  });

  it('refuses a request without an Idempotency-Key, a key of another request, and an order it does not know', async () => {
    const order = 'ops-refusals';
    await reserved(order, '50.00');
    const response = await fetch(`${stack.apiUrl}/payments/${order}/captures`, { method: 'POST' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'missing_idempotency_key' });

    const key = randomUUID();
    expect((await operate(order, 'captures', { amount: '10.00' }, key)).status).toBe(201);
    const reused = await operate(order, 'captures', { amount: '20.00' }, key);
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ error: 'idempotency_key_reused' });

    expect((await operate('ops-unknown', 'captures')).status).toBe(404);
    expect((await operate(order, 'refunds', { amount: 'ten' })).body).toEqual({
      error: 'invalid_field',
      message: 'Field amount must look like 100.00: digits, a dot, at most 2 decimals, more than 0.',
    });
  });
});
