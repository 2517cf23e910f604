import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';

/**
 * Subscriptions over real HTTP on the whole local stack (API with the real handlers, dynalite, local
 * SQS, the worker, the AltaPay simulator, the merchant endpoint): issue 16's "Done when" line "a
 * subscription agreement is created, charged twice and each charge is its own recorded transaction".
 */
const stack = useLocalStack();

/** POST /payments/{order}/charges as the merchant's back end sends it. */
async function charge(
  order: string,
  body: Record<string, unknown>,
  key: string = randomUUID(),
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${stack.apiUrl}/payments/${order}/charges`, {
    method: 'POST',
    headers: { 'idempotency-key': key, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    headers: response.headers,
  };
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

describe('subscriptions', () => {
  it('creates an agreement from a signed order of type subscription, charges it twice: two transactions, two events, a repeat answered from the record', async () => {
    const order = 'sub-coffee-1';
    await stack.simulator.pay(await stack.createPayment(order, '49.00', 'subscription'), 'success');
    await stack.merchant.waitFor((events) => events.some((e) => e.shopOrderId === order));
    await stack.workSettled();
    const signedUp = await stack.payment(order);
    const agreementId = signedUp?.transactions[0]?.transactionId;
    expect(signedUp?.transactions).toMatchObject([
      { authType: 'subscription', gatewayStatus: 'recurring_confirmed', reservedAmount: '0.00' },
    ]);
    expect(signedUp?.agreement).toEqual({ transactionId: agreementId, state: 'active' });
    let seen = stack.merchant.accepted().filter((e) => e.shopOrderId === order).length;

    const key = randomUUID();
    const first = await charge(order, { amount: '49.00' }, key);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      operation: { kind: 'charge', transactionId: agreementId, amount: '49.00', state: 'done' },
      payment: { status: 'captured', capturedAmount: '49.00' },
    });
    const firstCharge = (first.body.operation as { chargedTransactionId: string }).chargedTransactionId;
    const firstEvents = await eventsAfter(order, seen);
    seen += firstEvents.length;
    expect(firstEvents).toMatchObject([
      { type: 'payment.subscription_charged', data: { operation: { kind: 'charge', amount: '49.00' } } },
    ]);

    const repeat = await charge(order, { amount: '49.00' }, key);
    expect(repeat.status).toBe(201);
    expect(repeat.body).toEqual(first.body);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    const reused = await charge(order, { amount: '59.00' }, key);
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ error: 'idempotency_key_reused' });

    const second = await charge(order, { amount: '49.00' });
    expect(second.status).toBe(201);
    const secondCharge = (second.body.operation as { chargedTransactionId: string }).chargedTransactionId;
    expect(second.body).toMatchObject({ payment: { status: 'captured', capturedAmount: '98.00' } });
    expect(await eventsAfter(order, seen)).toMatchObject([{ type: 'payment.subscription_charged' }]);

    expect(new Set([agreementId, firstCharge, secondCharge]).size).toBe(3);
    const charged = await stack.payment(order);
    expect(charged?.flags).toEqual([]);
    expect(charged?.agreement).toEqual({ transactionId: agreementId, state: 'active' });
    expect(charged?.transactions.map((t) => [t.transactionId, t.authType, t.capturedAmount])).toEqual([
      [agreementId, 'subscription', '0.00'],
      [firstCharge, 'subscription_payment', '49.00'],
      [secondCharge, 'subscription_payment', '49.00'],
    ]);
    expect(stack.simulator.operations(order).map((o) => [o.method, o.amount, o.result])).toEqual([
      ['chargeSubscription', '49.00', 'Success'],
      ['chargeSubscription', '49.00', 'Success'],
    ]);
  });

  it('sets up a subscriptionAndCharge agreement with its first charge, and charges it again later', async () => {
    const order = 'sub-gym-1';
    await stack.simulator.pay(await stack.createPayment(order, '25.00', 'subscriptionAndCharge'), 'success');
    await stack.merchant.waitFor((events) => events.some((e) => e.shopOrderId === order));
    await stack.workSettled();
    const signedUp = await stack.payment(order);
    expect(signedUp?.status).toBe('captured');
    expect(signedUp?.transactions.map((t) => [t.authType, t.capturedAmount])).toEqual([
      ['subscriptionAndCharge', '0.00'],
      ['subscription_payment', '25.00'],
    ]);
    expect(signedUp?.agreement?.state).toBe('active');

    const later = await charge(order, { amount: '25.00' });

    expect(later.status).toBe(201);
    expect(later.body).toMatchObject({ payment: { capturedAmount: '50.00' } });
    expect((await stack.payment(order))?.transactions).toHaveLength(3);
  });

  it('refuses with 409 a charge on an order without an agreement', async () => {
    const order = 'sub-none';
    await stack.simulator.pay(await stack.createPayment(order, '49.00'), 'success');
    await stack.merchant.waitFor((events) => events.some((e) => e.shopOrderId === order));
    await stack.workSettled();
    const refused = await charge(order, { amount: '49.00' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'no_active_agreement' });
    expect(stack.simulator.operations(order)).toEqual([]);
  });
});
