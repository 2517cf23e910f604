import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserAvailable, useBrowser } from '../support/browser';
import { useLocalStack } from '../support/local-stack';

/**
 * The whole checkout in a real browser (Debian's Chromium): the demo shop's server signs the order, its
 * form posts it to our API,
 * the AltaPay simulator shows its payment page, calls verify-order, posts a signed callback, and shows
 * the customer the page our handler answered. Screenshots go to SCREENSHOT_DIR (the README's images
 * are refreshed with `npm run screenshots`).
 */
const screenshots = process.env.SCREENSHOT_DIR ?? 'test-results/screenshots';
const stack = useLocalStack(
  { ALTAPAY_CALLBACK_SECRET: 'e2e-terminal-secret', MERCHANT_NAME: 'Demo shop' },
  300,
);
const browserRun = browserAvailable ? useBrowser() : undefined;

async function snapshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

/**
 * Opens the demo shop, puts `basket` in it (as the query its basket form sends), checks out the order
 * the shop's server signed and lands on the gateway's payment page; resolves with the page and the
 * order id the shop gave the order.
 */
async function checkout(
  shot?: string,
  basket = '',
): Promise<{ readonly page: Page; readonly shopOrderId: string }> {
  if (browserRun === undefined) throw new Error('no browser');
  const page = await browserRun.browser.newPage({ viewport: { width: 420, height: 860 } });
  await page.goto(`${stack.apiUrl}/${basket}`);
  const shopOrderId = await page.getAttribute('#shopOrderId', 'data-shop-order-id');
  if (shopOrderId === null) throw new Error('the demo shop shows no order id');
  if (shot) await snapshot(page, shot);
  await Promise.all([page.waitForURL(/\/eCommerce\/API\/requestForm/), page.click('#pay')]);
  return { page, shopOrderId };
}

async function choose(page: Page, outcome: string): Promise<void> {
  await Promise.all([page.waitForLoadState('load'), page.click(`[data-outcome="${outcome}"]`)]);
}

describe.skipIf(!browserAvailable)('checkout in a real browser', () => {
  it('pays: the receipt shows and the payment is reserved', async () => {
    const { page, shopOrderId } = await checkout('1-demo-shop');
    await snapshot(page, '2-payment-page');

    await choose(page, 'success');

    await expect.poll(() => page.textContent('h1')).toContain('your payment is confirmed');
    expect(await page.textContent('main')).toContain(shopOrderId);
    expect(await page.textContent('main')).toContain('249.00 DKK');
    await snapshot(page, '3-receipt');
    // Confirmed by the worker moments after the receipt (which shows the callback's claim).
    expect((await stack.waitForStatus(shopOrderId, 'reserved')).status).toBe('reserved');
    await page.close();
  });

  it("charges what the shop's price list says for the basket the customer picked", async () => {
    if (browserRun === undefined) throw new Error('no browser');
    const shop = await browserRun.browser.newPage();
    await shop.goto(`${stack.apiUrl}/`);
    await shop.selectOption('#product', 'towel');
    await shop.selectOption('#quantity', '3');
    await Promise.all([shop.waitForURL(/quantity=3/), shop.click('#update')]);
    expect(await shop.textContent('#total')).toBe('267.00 DKK');
    await shop.close();

    const { page, shopOrderId } = await checkout(undefined, '?product=towel&quantity=3');
    await choose(page, 'success');

    await expect.poll(() => page.textContent('h1')).toContain('your payment is confirmed');
    expect(await page.textContent('main')).toContain('267.00 DKK');
    expect((await stack.waitForStatus(shopOrderId, 'reserved')).status).toBe('reserved');
    await page.close();
  });

  it('declines: the fail page shows the gateway message the customer must see', async () => {
    const { page, shopOrderId } = await checkout();

    await choose(page, 'decline');

    await expect.poll(() => page.textContent('h1')).toContain('Your payment was declined');
    expect(await page.textContent('main')).toContain('Card declined. Please try another card.');
    expect(await page.textContent('main')).not.toContain('TestAcquirer');
    await snapshot(page, '4-declined');
    expect((await stack.waitForStatus(shopOrderId, 'failed')).status).toBe('failed');
    await page.close();
  });

  it('is pending while open, then the notification moves the payment on', async () => {
    const { page, shopOrderId } = await checkout();

    await choose(page, 'open-success');

    await expect.poll(() => page.textContent('h1')).toContain('being processed');
    await snapshot(page, '5-pending');
    // The notification follows 300 ms later, so the open state may already be past: read the log.
    // The worker confirms the open payment with the gateway meanwhile; when the gateway has moved on
    // by then, the worker records the reservation first and the notification changes nothing.
    await stack.waitForStatus(shopOrderId, 'reserved');
    await expect
      .poll(async () =>
        (await stack.payment(shopOrderId))?.callbackLog.map((e) => `${e.callbackType} ${e.outcome}`),
      )
      .toSatisfy(
        (log: string[] | undefined) =>
          log?.length === 2 &&
          log[0] === 'open changed' &&
          (log[1] === 'notification changed' || log[1] === 'notification duplicate'),
      );
    await page.close();
  });

  it('changes nothing on a duplicate or a reordered delivery', async () => {
    const { page, shopOrderId } = await checkout();
    await choose(page, 'open-success');
    const settled = await stack.waitForStatus(shopOrderId, 'reserved');
    await page.close();
    // The worker's confirmation can make the payment reserved before the gateway's notification is in.
    await expect
      .poll(() =>
        stack.simulator.deliveries.some(
          (d) => d.type === 'notification' && d.fields.shop_orderid === shopOrderId,
        ),
      )
      .toBe(true);

    const duplicate = await stack.simulator.resend(shopOrderId, 'notification');
    const reordered = await stack.simulator.resend(shopOrderId, 'open');

    expect([duplicate.status, reordered.status]).toEqual([200, 200]);
    const after = await stack.payment(shopOrderId);
    expect(after?.status).toBe('reserved');
    expect(after?.transactions).toEqual(settled.transactions);
    expect(after?.callbackLog.slice(-2).map((e) => e.outcome)).toEqual(['duplicate', 'stale']);
  });
});
