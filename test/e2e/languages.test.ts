import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { defaultPageTexts, type PageLanguage, type PageTexts } from '../../shared/pages';
import { browserAvailable, useBrowser } from '../support/browser';
import { useLocalStack } from '../support/local-stack';

/**
 * The customer's pages in each language the demo shop offers, in a real browser at a phone's width
 * (390 px) and a desktop's: the language picked in the shop reaches the payment request, and the page
 * our callback answers is in it, with `<html lang>` and a working way back to the shop.
 */
const screenshots = process.env.SCREENSHOT_DIR ?? 'test-results/screenshots';
// SHOP_URL is the demo shop (the local stack's default); with no SHOP_CHECKOUT_URL, try again goes there too.
const stack = useLocalStack(
  { ALTAPAY_CALLBACK_SECRET: 'e2e-terminal-secret', MERCHANT_NAME: 'Demo shop' },
  300,
);
const browserRun = browserAvailable ? useBrowser() : undefined;

/** The demo shop's language choice (its value goes to the gateway) and the page language it gives. */
const languages: readonly (readonly [shopChoice: string, PageLanguage])[] = [
  ['en', 'en'],
  ['da', 'da'],
  ['sv', 'sv'],
  ['no', 'nb'],
  ['fi', 'fi'],
  ['de', 'de'],
];

/** What the customer does on the payment page, and the heading of the page our callback answers. */
const outcomes = [
  ['success', 'paidHeading'],
  ['decline', 'declinedHeading'],
  ['cancel', 'cancelledHeading'],
  ['open-success', 'pendingHeading'],
] as const satisfies readonly (readonly [string, keyof PageTexts])[];

/** The README shows two of these pages, in Danish on a phone. */
const readmeShots: Partial<Record<string, string>> = {
  cancel: '6-da-cancelled',
  'open-success': '7-da-pending',
};

const widths = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } } as const;

async function payIn(shopChoice: string, outcome: string, viewport: { width: number; height: number }) {
  if (browserRun === undefined) throw new Error('no browser');
  const page = await browserRun.browser.newPage({ viewport });
  await page.goto(`${stack.apiUrl}/?language=${shopChoice}`);
  const shopOrderId = await page.getAttribute('#shopOrderId', 'data-shop-order-id');
  if (shopOrderId === null) throw new Error('the demo shop shows no order id');
  await Promise.all([page.waitForURL(/\/eCommerce\/API\/requestForm/), page.click('#pay')]);
  await Promise.all([page.waitForLoadState('load'), page.click(`[data-outcome="${outcome}"]`)]);
  return { page, shopOrderId };
}

/** Nothing on the page is wider than the screen: no sideways scrolling on a phone. */
async function fitsWidth(page: Page): Promise<boolean> {
  // A string: this project compiles without the DOM's types; it runs in the page.
  return (await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')) === true;
}

describe.skipIf(!browserAvailable)('pages in the customer language', () => {
  for (const [shopChoice, language] of languages) {
    for (const [outcome, heading] of outcomes) {
      for (const [widthName, viewport] of Object.entries(widths)) {
        it(`${language}: ${outcome} at ${widthName} width is in ${language} with a way back to the shop`, async () => {
          const texts = defaultPageTexts[language];
          const { page, shopOrderId } = await payIn(shopChoice, outcome, viewport);

          await expect.poll(() => page.textContent('h1')).toBe(texts[heading]);
          expect(await page.getAttribute('html', 'lang')).toBe(language);
          expect(await page.textContent('footer')).toBe(texts.footer);
          expect(await fitsWidth(page)).toBe(true);
          const back = page.locator('#back-to-shop');
          expect(await back.textContent()).toBe(texts.backToShop);
          expect(await back.getAttribute('href')).toBe(`${stack.apiUrl}/`);
          const retry = page.locator('#try-again');
          const retries = outcome === 'decline' || outcome === 'cancel';
          if (retries) {
            expect(await retry.textContent()).toBe(texts.tryAgain);
            expect(await retry.getAttribute('href')).toBe(`${stack.apiUrl}/?shopOrderId=${shopOrderId}`);
          } else {
            expect(await retry.count()).toBe(0);
          }
          const shot = widthName === 'phone' && language === 'da' ? readmeShots[outcome] : undefined;
          if (process.env.SCREENSHOT_DIR && shot) {
            mkdirSync(screenshots, { recursive: true });
            await page.screenshot({ path: join(screenshots, `${shot}.png`), fullPage: true });
          }
          // The link works: it takes the customer back to the shop's checkout.
          await Promise.all([
            page.waitForURL(new RegExp(`^${stack.apiUrl}/`)),
            (retries ? retry : back).click(),
          ]);
          expect(await page.locator('#pay').count()).toBe(1);
          await page.close();
        });
      }
    }
  }
});
