import { describe, expect, it } from 'vitest';
import { encodeFormBody } from '../../shared/altapay/form-body';
import { paymentAttemptLimit } from '../../shared/checkout/create-payment';
import { eventually, useLocalStack } from '../support/local-stack';
import { orderJson, signedFormBody, signedJsonRequest } from '../support/signed-order';

/**
 * Issue 14's attacks on the checkout, re-run as an attacker would, over real HTTP on the local stack:
 * setting the price of a shop's order, squatting an order id before the real checkout, and growing one
 * order's item towards DynamoDB's 400 KB limit. Only orders the shop signed start anything, so each
 * ends with the real customer paying the shop's price and the merchant hearing of nothing else.
 */
const stack = useLocalStack();

const post = (init: RequestInit) => fetch(`${stack.apiUrl}/payments`, { ...init, redirect: 'manual' });
const unsignedJson = (order: Record<string, unknown>) =>
  post({ method: 'POST', headers: { 'content-type': 'application/json' }, body: orderJson(order) });
const form = (body: string) =>
  post({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
const pidOf = (location: string | null) => new URL(location ?? 'http://none/').searchParams.get('pid') ?? '';

/** What the merchant's systems were told about the order, once the worker is done. */
async function merchantHeard(shopOrderId: string): Promise<readonly string[]> {
  await stack.workSettled();
  return stack.merchant.accepted().flatMap((e) => (e.shopOrderId === shopOrderId ? [e.rawBody] : []));
}

describe('the checkout boundary, attacked', () => {
  it('cannot set the price or the capture of a shop order: the customer pays 249.00 and only that is announced', async () => {
    const shopOrderId = 'SHOP-1001';
    const shopForm = signedFormBody({ shopOrderId, amount: '249.00', currency: 'DKK' }, stack.shopOrderKey);
    const first = await form(shopForm);
    expect(first.status).toBe(303);
    await stack.simulator.pay(pidOf(first.headers.get('location')), 'cancel');
    await stack.waitForStatus(shopOrderId, 'cancelled');

    // The attacker's own order for the same id, unsigned, as JSON and as a form, with capture at once.
    const attack = { shopOrderId, amount: '1.00', currency: 'DKK', type: 'paymentAndCapture' };
    expect((await unsignedJson(attack)).status).toBe(401);
    expect((await form(encodeFormBody({ order: orderJson(attack) }))).status).toBe(401);
    // The shop's signature over the shop's order, with the attacker's amount or type inside.
    const fields = new URLSearchParams(shopForm);
    const order = fields.get('order') ?? '';
    const signature = fields.get('signature') ?? '';
    for (const changed of [
      order.replace('"249.00"', '"1.00"'),
      order.replace('"currency":"DKK"', '"currency":"DKK","type":"paymentAndCapture"'),
    ]) {
      expect((await form(encodeFormBody({ order: changed, signature }))).status).toBe(403);
    }
    expect(stack.simulator.paymentRequestsFor(shopOrderId).map((r) => r.amount)).toEqual(['249.00']);

    // The real customer tries again with the shop's checkout, and pays.
    const again = await form(shopForm);
    expect(again.status).toBe(303);
    await stack.simulator.pay(pidOf(again.headers.get('location')), 'success');

    expect((await stack.waitForStatus(shopOrderId, 'reserved')).status).toBe('reserved');
    expect(stack.simulator.paymentRequestsFor(shopOrderId)).toMatchObject([
      { amount: '249.00', type: 'payment' },
      { amount: '249.00', type: 'payment' },
    ]);
    const heard = await eventually('the payment.reserved event', async () => {
      const events = await merchantHeard(shopOrderId);
      return events.some((e) => e.includes('payment.reserved')) ? events : undefined;
    });
    expect(heard.join('\n')).not.toContain('"1.00"');
  });

  it('cannot squat an order id: an unsigned 0.01 starts nothing, and the real checkout goes through', async () => {
    const shopOrderId = 'SHOP-1002';

    const squat = await unsignedJson({ shopOrderId, amount: '0.01', currency: 'DKK' });

    expect(squat.status).toBe(401);
    expect(stack.simulator.paymentRequestsFor(shopOrderId)).toEqual([]);
    expect(await stack.payment(shopOrderId)).toBeUndefined();
    const real = await fetch(
      `${stack.apiUrl}/payments`,
      signedJsonRequest({ shopOrderId, amount: '249.00', currency: 'DKK' }, stack.shopOrderKey),
    );
    expect(real.status).toBe(201);
    const { paymentRequestId } = (await real.json()) as { paymentRequestId: string };
    await stack.simulator.pay(paymentRequestId, 'success');
    expect((await stack.waitForStatus(shopOrderId, 'reserved')).status).toBe('reserved');
  });

  it("cannot grow an order towards the item limit: unsigned cycles store nothing, and the shop's own cancelled attempts stop at the limit with a small item", async () => {
    const shopOrderId = 'GROW-1';
    // The attacker's create-and-cancel loop needs a request to cancel: unsigned, there is none.
    for (let i = 0; i < 50; i++) {
      expect((await unsignedJson({ shopOrderId, amount: '10.00', currency: 'DKK' })).status).toBe(401);
    }
    expect(await stack.orderItems(shopOrderId)).toEqual([]);
    // So the real customer pays, and it is recorded.
    const paid = await form(
      signedFormBody({ shopOrderId, amount: '10.00', currency: 'DKK' }, stack.shopOrderKey),
    );
    await stack.simulator.pay(pidOf(paid.headers.get('location')), 'success');
    expect((await stack.waitForStatus(shopOrderId, 'reserved')).status).toBe('reserved');

    // A customer with the shop's own signed order who cancels on the payment page, again and again.
    const cancelled = 'GROW-2';
    const shopForm = signedFormBody(
      { shopOrderId: cancelled, amount: '10.00', currency: 'DKK' },
      stack.shopOrderKey,
    );
    for (let attempt = 1; attempt <= paymentAttemptLimit; attempt++) {
      const started = await form(shopForm);
      expect(started.status).toBe(303);
      await stack.simulator.pay(pidOf(started.headers.get('location')), 'cancel');
      await eventually(`attempt ${attempt} recorded as cancelled`, async () => {
        const log = (await stack.payment(cancelled))?.callbackLog ?? [];
        return log.filter((e) => e.callbackType === 'fail').length >= attempt ? log : undefined;
      });
    }
    const refused = await post(
      signedJsonRequest({ shopOrderId: cancelled, amount: '10.00', currency: 'DKK' }, stack.shopOrderKey),
    );
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: 'too_many_attempts' });
    expect(stack.simulator.paymentRequestsFor(cancelled)).toHaveLength(paymentAttemptLimit);

    // What the loop left: one small payment item, far from the 400 KB DynamoDB refuses.
    await stack.workSettled();
    const item = (await stack.orderItems(cancelled)).find((i) => i.recordKey === 'payment');
    const itemBytes = Buffer.byteLength(JSON.stringify(item));
    console.info(`GROW-2 after ${paymentAttemptLimit} cancelled attempts: ${itemBytes} bytes`);
    expect(itemBytes).toBeLessThan(64 * 1024);
    expect(await merchantHeard(cancelled)).not.toContainEqual(expect.stringContaining('payment.reserved'));
  });
});
