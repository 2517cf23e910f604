import { describe, expect, it } from 'vitest';
import { encodeFormBody } from '../../shared/altapay/form-body';
import { callbackFields, signed, transactionXml } from '../support/gateway';
import { useLocalStack } from '../support/local-stack';
import { signedFormBody, signedJsonRequest } from '../support/signed-order';

const secret = 'terminal-secret';
const shopKey = 'shop-key-current-0123456789abcdef0123456789';

/**
 * The pages a customer reads, over real HTTP through the real handlers and the simulator: in the
 * language the payment was requested in, with the way back to the shop the merchant configured.
 */
const stack = useLocalStack({
  ALTAPAY_CALLBACK_SECRET: secret,
  SHOP_ORDER_KEY: shopKey,
  SHOP_URL: 'https://shop.example/',
  SHOP_CHECKOUT_URL: 'https://shop.example/checkout',
  PAGE_TEXTS: JSON.stringify({ de: { backToShop: 'Zurück zu Laden & Co' } }),
});

const startPayment = async (shopOrderId: string, language?: string) => {
  const order = { shopOrderId, amount: '120.00', currency: 'DKK', ...(language ? { language } : {}) };
  const response = await fetch(`${stack.apiUrl}/payments`, signedJsonRequest(order, shopKey));
  expect(response.status).toBe(201);
  return ((await response.json()) as { paymentRequestId: string }).paymentRequestId;
};

/** The customer pays on the (simulated) gateway and the worker confirms it with the gateway. */
const paid = async (shopOrderId: string, language: string) => {
  await stack.simulator.pay(await startPayment(shopOrderId, language), 'success');
  await stack.waitForStatus(shopOrderId, 'reserved');
};

const postCallback = (route: string, fields: Record<string, string>) =>
  fetch(`${stack.apiUrl}/callbacks/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: encodeFormBody(signed(fields, secret)),
  });

const failCallback = (shopOrderId: string, status: string, result: string) =>
  postCallback(
    'fail',
    callbackFields(transactionXml({ shopOrderId, transactionId: `${shopOrderId}-t`, status, result })),
  );

/** What a customer reads on one of our pages: the page without its markup and styles. */
const visibleText = (html: string) =>
  html.replace(/<style[\s\S]*?<\/style>|<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('customer pages', () => {
  it('answers a fail callback for a payment requested in Danish with a Danish page that links back to the shop', async () => {
    await startPayment('lang-da-1', 'da');

    const response = await failCallback('lang-da-1', 'preauth_error', 'Failed');

    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<html lang="da">');
    expect(visibleText(html)).toContain('Din betaling blev afvist');
    expect(visibleText(html)).toContain('der er ikke trukket penge');
    expect(html).toContain(
      '<a class="button" id="back-to-shop" href="https://shop.example/">Tilbage til butikken</a>',
    );
    expect(html).toContain('href="https://shop.example/checkout?shopOrderId=lang-da-1">Prøv igen</a>');
  });

  it('tells a customer who pressed Cancel that they cancelled, not that the payment was declined', async () => {
    await startPayment('lang-da-2', 'da');

    const html = await (await failCallback('lang-da-2', 'epayment_cancelled', 'Cancelled')).text();

    expect(visibleText(html)).toContain('Du har annulleret betalingen');
    expect(visibleText(html)).not.toContain('afvist');
  });

  it('speaks English when the payment named no language, and uses the merchant texts over ours', async () => {
    await startPayment('lang-none', undefined);
    await startPayment('lang-de', 'de');

    const english = await (await failCallback('lang-none', 'preauth_error', 'Failed')).text();
    const german = await (await failCallback('lang-de', 'preauth_error', 'Failed')).text();

    expect(english).toContain('<html lang="en">');
    expect(visibleText(english)).toContain('Your payment was declined');
    expect(german).toContain('<html lang="de">');
    expect(german).toContain('Zurück zu Laden &amp; Co</a>');
  });

  it("refuses verify-order for a paid order in the request's language", async () => {
    await paid('lang-sv', 'sv');

    const answer = await postCallback('verify-order', {
      shop_orderid: 'lang-sv',
      amount: '120.00',
      currency: '208',
    });

    expect(await answer.text()).toBe('Ordern är redan betald. Du behöver inte betala igen.');
  });

  it("answers a browser's form post for a paid order (409) in the browser's language, with the shop link and no status words", async () => {
    await paid('lang-409', 'da');

    const page = await fetch(`${stack.apiUrl}/payments`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'accept-language': 'da-DK,da;q=0.9,en;q=0.5',
      },
      body: signedFormBody({ shopOrderId: 'lang-409', amount: '120.00', currency: 'DKK' }, shopKey),
      redirect: 'manual',
    });

    expect(page.status).toBe(409);
    const html = await page.text();
    expect(html).toContain('<html lang="da">');
    expect(visibleText(html)).toContain('Ordren kan ikke betales lige nu');
    expect(html).toContain('href="https://shop.example/">Tilbage til butikken</a>');
    expect(visibleText(html)).not.toMatch(/\b(status|reserved|captured)\b/i);
  });
});
