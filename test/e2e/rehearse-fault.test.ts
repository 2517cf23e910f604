import { describe, expect, it } from 'vitest';
import { browserAvailable, useBrowser } from '../support/browser';
import { useLocalStack } from '../support/local-stack';

/**
 * "Rehearse a fault" on the simulator's payment page, in a real browser: the customer picks a fault
 * from the menu, then an outcome, and the fault applies to that click (docs/altapay-protocol.md §12).
 */
const stack = useLocalStack();
const browserRun = browserAvailable ? useBrowser() : undefined;

describe.skipIf(!browserAvailable)('rehearsing a fault on the payment page', () => {
  it('delivers the result callback twice when the customer picks that fault and pays; the shop records one payment and tells the merchant once', async () => {
    if (browserRun === undefined) throw new Error('no browser');
    const order = 'e2e-fault-twice';
    const pid = await stack.createPayment(order, '80.00');
    const page = await browserRun.browser.newPage();

    await page.goto(`${stack.simulator.url}/eCommerce/API/requestForm?pid=${encodeURIComponent(pid)}`);
    await page.selectOption('select[name="fault"]', { label: 'The result callback arrives twice' });
    await Promise.all([page.waitForLoadState('load'), page.click('[data-outcome="success"]')]);

    expect(await page.textContent('body')).toContain('your payment is confirmed');
    const okCallbacks = stack.simulator.deliveries.filter(
      (d) => d.type === 'ok' && d.fields.shop_orderid === order,
    );
    expect(okCallbacks).toHaveLength(2);
    await stack.waitForStatus(order, 'reserved');
    await stack.workSettled();
    expect(stack.merchant.accepted().filter((e) => e.shopOrderId === order)).toEqual([
      expect.objectContaining({ type: 'payment.reserved' }),
    ]);
    await page.close();
  });
});
