import { describe, expect, it } from 'vitest';
import { AltaPayMerchantApi } from '../../adapters/altapay/merchant-api';
import { useLocalStack } from '../support/local-stack';

/**
 * "Pay — the shop never hears" on the whole local stack: the customer pays, the gateway reserves, and
 * no callback reaches our API (as when it was down, or the browser closed during 3-D Secure). Only
 * asking the gateway finds the payment; this is what reconciliation has to catch (reconciliation.test.ts:
 * here the reconciler waits its local default of 30 s, longer than this test takes).
 */
const stack = useLocalStack();

describe('a payment the shop never hears of', () => {
  it('is reserved at the gateway and listed by shop_orderid, while our side got no callback and stays created', async () => {
    const order = 'unheard-1';
    const pid = await stack.createPayment(order, '249.00');

    const answer = await stack.simulator.pay(pid, 'success-unheard');
    await stack.workSettled();

    expect(answer.status).toBe(200);
    const gateway = new AltaPayMerchantApi({
      baseUrl: new URL(stack.simulator.url),
      username: process.env.ALTAPAY_API_USERNAME ?? '',
      password: process.env.ALTAPAY_API_PASSWORD ?? '',
      timeoutMs: 2_000,
    });
    const listed = await gateway.transactionsOfOrder(order);
    expect(listed.map((t) => [t.transactionStatus, t.reservedAmount])).toEqual([['preauth', '249.00']]);
    expect(stack.simulator.deliveries.filter((d) => d.fields.shop_orderid === order)).toEqual([]);
    const ours = await stack.payment(order);
    expect(ours?.status).toBe('created');
    expect(ours?.callbackLog).toEqual([]);
    expect(stack.merchant.received.filter((e) => e.shopOrderId === order)).toEqual([]);
  });
});
