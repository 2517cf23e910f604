import { describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';

/**
 * AUTO_CAPTURE=true: the worker captures a confirmed reservation at the gateway (the simulator), and
 * the merchant hears of both steps. Its own file: settings are read once per (local) cold start.
 */
const stack = useLocalStack({ AUTO_CAPTURE: 'true' }, { visibilityTimeoutSeconds: 4 });

describe('the payment worker with AUTO_CAPTURE', () => {
  it('captures a reserved payment once and tells the merchant payment.reserved, then payment.captured', async () => {
    const order = 'wc-capture';
    await stack.simulator.pay(await stack.createPayment(order, '349.95'), 'success');

    await stack.merchant.waitFor(
      (events) => events.some((e) => e.shopOrderId === order && e.type === 'payment.captured'),
      10_000,
    );
    await stack.workSettled();

    const events = stack.merchant.received.filter((e) => e.shopOrderId === order);
    expect(events.map((e) => [e.type, e.status, e.signatureOk])).toEqual([
      ['payment.reserved', 204, true],
      ['payment.captured', 204, true],
    ]);
    // The version orders events that may arrive out of order.
    const versions = events.map((e) => (e.body as { data: { version: number } }).data.version);
    expect(versions[0]).toBeLessThan(versions[1] ?? 0);
    expect(events[1]?.body).toMatchObject({
      data: {
        status: 'captured',
        previousStatus: 'reserved',
        transactions: [expect.objectContaining({ capturedAmount: '349.95', status: 'captured' })],
      },
    });

    const [transaction, ...others] = stack.simulator.transactions(order);
    expect(others).toEqual([]);
    expect(transaction).toMatchObject({
      transactionStatus: 'captured',
      reservedAmount: '349.95',
      capturedAmount: '349.95',
    });
    // One capture at the gateway: one reconciliation identifier of type captured.
    expect(transaction?.reconciliationIdentifiers?.filter((r) => r.type === 'captured')).toHaveLength(1);
    expect((await stack.payment(order))?.status).toBe('captured');

    const work = (await stack.orderItems(order)).filter((item) => String(item.recordKey).startsWith('work#'));
    expect(work.map((w) => w.capture ?? null)).toContainEqual(
      expect.objectContaining({ outcome: 'captured', amount: '349.95' }),
    );
  });
});
