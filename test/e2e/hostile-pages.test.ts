import { describe, expect, it } from 'vitest';
import { browserAvailable, useBrowser } from '../support/browser';
import { useEmulators } from '../support/emulators';
import { callbackFields, transactionXml } from '../support/gateway';
import { useLocalApi } from '../support/local-api';

/**
 * Hostile text in the fields our pages show, rendered by the real handler and opened in Chromium:
 * no script may run and no markup may be injected. And no callback field can redirect the customer.
 */
const stack = useEmulators();
const api = useLocalApi(stack, {
  MERCHANT_NAME: 'Acme <b>Shop</b>',
  SHOP_RECEIPT_URL: 'https://shop.example/thanks?lang=da',
});
const browserRun = browserAvailable ? useBrowser() : undefined;

const payloads = [
  '<script>window.__pwned = 1</script>',
  '"><img src=x onerror="window.__pwned=1">',
  '</p><iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
  '<svg onload="window.__pwned=1"></svg>',
  "'><a href='javascript:window.__pwned=1'>click</a>",
  '<style>body{display:none}</style>',
  '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
  '&lt;script&gt;window.__pwned=1&lt;/script&gt;',
  '\u202Ereversed\u202C <b>bold</b>',
];

describe.skipIf(!browserAvailable)('hostile text on our pages, in Chromium', () => {
  it.each(payloads.map((p, i) => [i, p] as const))(
    'shows error_message #%i as text, runs nothing, injects nothing',
    async (i, payload) => {
      const order = `hostile-${i}`;
      const document = transactionXml({
        shopOrderId: order,
        transactionId: `95${i}`,
        status: 'preauth_error',
        result: 'Failed',
      });
      const fields = callbackFields(document, {
        error_message: payload,
        cardholder_message_must_be_shown: 'true',
      });
      const html = await (await api.postCallback('fail', fields)).text();
      if (browserRun === undefined) throw new Error('no browser');
      const page = await browserRun.browser.newPage();
      const dialogs: string[] = [];
      page.on('dialog', async (dialog) => {
        dialogs.push(dialog.message());
        await dialog.dismiss();
      });
      // As the gateway shows it: our HTML, served from elsewhere, with the network closed.
      await page.route('**/*', (route) => route.abort());
      await page.setContent(html, { waitUntil: 'load' });

      expect(await page.evaluate(() => Reflect.get(globalThis, '__pwned'))).toBeUndefined();
      expect(dialogs).toEqual([]);
      expect(await page.locator('script, img, iframe, svg, a, meta[http-equiv], main style').count()).toBe(0);
      expect(await page.locator('main').innerText()).toContain(
        payload.replace(/\s+/g, ' ').trim().slice(0, 20),
      );
      expect(await page.locator('header.merchant').innerText()).toBe('Acme <b>Shop</b>');
      expect(page.url()).toBe('about:blank');
      await page.close();
    },
  );
});

describe('no open redirect', () => {
  it('redirects an ok only to the configured shop receipt URL, whatever the callback carries', async () => {
    const document = transactionXml({
      shopOrderId: 'redirect-1',
      transactionId: '9601',
      status: 'preauth',
      reserved: '5.00',
    });
    const fields = callbackFields(document, {
      redirect_url: 'https://evil.example/',
      return_url: '//evil.example',
      shop_receipt_url: 'https://evil.example/',
      callback_ok: 'https://evil.example/',
    });

    const response = await api.postCallback('ok', fields);

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(
      'https://shop.example/thanks?lang=da&shopOrderId=redirect-1',
    );
  });

  it('never redirects fail, open or notification callbacks', async () => {
    for (const type of ['fail', 'open', 'notification'] as const) {
      const document = transactionXml({
        shopOrderId: `redirect-${type}`,
        transactionId: '9602',
        status: 'preauth',
        reserved: '5.00',
      });
      const response = await api.postCallback(
        type,
        callbackFields(document, { redirect_url: 'https://evil.example/' }),
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('location')).toBeNull();
    }
  });
});
