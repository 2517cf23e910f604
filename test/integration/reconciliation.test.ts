import { describe, expect, it } from 'vitest';
import { eventually, useLocalStack } from '../support/local-stack';

/**
 * Reconciliation on the whole local stack, over real HTTP: the reconciler runs on its timer (every
 * 500 ms here) and asks the simulator about payment requests unanswered for a second, as the deployed
 * one does every 5 minutes for requests unanswered for RECONCILE_AFTER_MINUTES.
 */
const stack = useLocalStack({}, { reconcileAfterSeconds: 1, scheduleIntervalMs: 500 });

describe('reconciliation with the gateway', () => {
  it('records "Pay — the shop never hears" as a confirmed reserved payment with its one merchant event, without any callback', async () => {
    const abandoned = 'reconcile-abandoned';
    const order = 'reconcile-unheard';
    await stack.createPayment(abandoned, '75.00');
    const pid = await stack.createPayment(order, '249.00');

    await stack.simulator.pay(pid, 'success-unheard');
    const reserved = await stack.waitForStatus(order, 'reserved', 15_000);
    const event = await eventually(
      'the merchant event of the reconciled payment',
      () => stack.merchant.received.find((e) => e.shopOrderId === order),
      15_000,
    );
    await stack.workSettled();

    expect(stack.simulator.deliveries.filter((d) => d.fields.shop_orderid === order)).toEqual([]);
    expect(reserved.transactions).toEqual([
      expect.objectContaining({ gatewayStatus: 'preauth', reservedAmount: '249.00', capturedAmount: '0.00' }),
    ]);
    expect(reserved.flags).toEqual([]);
    expect(reserved.callbackLog).toEqual([
      expect.objectContaining({ callbackType: 'reconciled', outcome: 'changed', duplicate: false }),
    ]);
    expect(event).toMatchObject({ type: 'payment.reserved', signatureOk: true });
    expect(stack.merchant.received.filter((e) => e.shopOrderId === order)).toHaveLength(1);
    // The worker confirmed it with the gateway before telling the merchant.
    const [work] = (await stack.orderItems(order)).filter((item) =>
      String(item.recordKey).startsWith('work#'),
    );
    expect(work).toMatchObject({ state: 'done', confirmation: { confirmed: true } });
    // Asked about in the same runs, the order nobody paid for is left as it was.
    const untouched = await stack.payment(abandoned);
    expect(untouched).toMatchObject({ status: 'created', transactions: [], callbackLog: [] });
    expect(stack.merchant.received.filter((e) => e.shopOrderId === abandoned)).toEqual([]);
  });
});
