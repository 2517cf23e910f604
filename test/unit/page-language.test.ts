import { describe, expect, it } from 'vitest';
import { readSettings } from '../../functions/runtime/settings';
import { verifyOrder } from '../../shared/checkout/verify-order';
import {
  chooseLanguage,
  defaultPageTexts,
  languageFromAcceptLanguage,
  pageLanguages,
  renderCallbackPage,
  withPageTextOverrides,
} from '../../shared/pages';
import { MemoryPaymentStore } from '../support/memory-store';

describe('the language of a page', () => {
  it('is the payment request language when we write it, whatever its case or region', () => {
    expect(chooseLanguage('da')).toBe('da');
    expect(chooseLanguage('SV')).toBe('sv');
    expect(chooseLanguage('de-AT')).toBe('de');
    expect(chooseLanguage('fi_FI')).toBe('fi');
  });

  it('is bokmål for every way of saying Norwegian', () => {
    for (const code of ['no', 'nb', 'nn', 'nb-NO']) expect(chooseLanguage(code), code).toBe('nb');
  });

  it('falls back to English for a language we do not write, or none', () => {
    for (const code of ['pl', 'xx', '', '  ', undefined])
      expect(chooseLanguage(code), String(code)).toBe('en');
  });

  it("follows a browser's Accept-Language by preference, English when it wants none we write", () => {
    expect(languageFromAcceptLanguage('da-DK,da;q=0.9,en;q=0.8')).toBe('da');
    expect(languageFromAcceptLanguage('pl,sv;q=0.7,de;q=0.9')).toBe('de');
    expect(languageFromAcceptLanguage('fi;q=0,en;q=0.5')).toBe('en');
    expect(languageFromAcceptLanguage('pl')).toBe('en');
    expect(languageFromAcceptLanguage(undefined)).toBe('en');
  });

  it('is set on <html lang> with that language texts', () => {
    const html = renderCallbackPage({
      kind: 'paid',
      language: 'da',
      shopOrderId: 'o-1',
      merchantName: 'Butik',
    });
    expect(html).toContain('<html lang="da">');
    expect(html).toContain('Tak – din betaling er gennemført');
    expect(html).toContain('Ordrenummer');
  });
});

describe('the texts', () => {
  it('differ from English in every other language, key by key', () => {
    // A text copied from English into another language is a text not written for it.
    for (const language of pageLanguages.filter((l) => l !== 'en')) {
      for (const [key, text] of Object.entries(defaultPageTexts[language])) {
        expect(text, `${language}.${key}`).not.toBe(
          defaultPageTexts.en[key as keyof typeof defaultPageTexts.en],
        );
      }
    }
  });

  it('tell a customer who pressed Cancel something else than one whose payment was declined', () => {
    for (const language of pageLanguages) {
      const texts = defaultPageTexts[language];
      expect(texts.cancelledHeading, language).not.toBe(texts.declinedHeading);
      expect(texts.cancelledMessage, language).not.toBe(texts.declinedMessage);
    }
  });
});

describe('PAGE_TEXTS, the merchant overrides', () => {
  it('replace only the keys given, per language', () => {
    const catalogue = withPageTextOverrides(
      '{"da":{"paidHeading":"Tak for din ordre!"},"en":{"footer":"Paid via us"}}',
    );
    expect(catalogue.da.paidHeading).toBe('Tak for din ordre!');
    expect(catalogue.da.paidTitle).toBe(defaultPageTexts.da.paidTitle);
    expect(catalogue.en.footer).toBe('Paid via us');
    expect(catalogue.sv).toEqual(defaultPageTexts.sv);
  });

  it('are ours when unset or empty', () => {
    expect(withPageTextOverrides(undefined)).toBe(defaultPageTexts);
    expect(withPageTextOverrides('  ')).toBe(defaultPageTexts);
  });

  it('stop the function at start-up naming what is wrong', () => {
    const base = { PAYMENTS_TABLE_NAME: 'payments' };
    const problem = (json: string) => () => readSettings({ ...base, PAGE_TEXTS: json });
    expect(problem('{da:')).toThrow(
      'Invalid settings: PAGE_TEXTS must be JSON such as {"da":{"paidHeading":"Tak for din ordre"}}',
    );
    expect(problem('{"dk":{"paidHeading":"Tak"}}')).toThrow(
      'Invalid settings: PAGE_TEXTS: dk is not a language: use one of en, da, sv, nb, fi, de',
    );
    expect(problem('{"da":{"paidHeadline":"Tak"}}')).toThrow(
      'Invalid settings: PAGE_TEXTS: da.paidHeadline is not a page text',
    );
    expect(problem('{"da":{"paidHeading":""}}')).toThrow(
      'Invalid settings: PAGE_TEXTS: da.paidHeading must be a text of 1 to 1000 characters',
    );
  });

  it('reach the rendered page escaped', () => {
    const catalogue = withPageTextOverrides('{"de":{"paidHeading":"Danke <b>sehr</b>"}}');
    const html = renderCallbackPage(
      { kind: 'paid', language: 'de', shopOrderId: 'o-1', merchantName: 'Laden' },
      catalogue,
    );
    expect(html).toContain('<html lang="de">');
    expect(html).toContain('Danke &lt;b&gt;sehr&lt;/b&gt;');
  });
});

describe("verify-order's refusals", () => {
  it('are in the language the payment was requested in (the form has none)', async () => {
    const payment = {
      shopOrderId: 'o-1',
      status: 'reserved',
      transactions: {},
      flags: [],
      version: 1,
      createdAt: '2026-11-20T09:00:00.000Z',
      updatedAt: '2026-11-20T09:00:00.000Z',
      request: {
        paymentRequestId: 'pr-1',
        url: 'https://gateway.example/pay',
        amount: '10.00',
        currency: 'DKK',
        language: 'sv',
        createdAt: '2026-11-20T09:00:00.000Z',
      },
    } as const;
    const store = new MemoryPaymentStore();
    store.payments.set(payment.shopOrderId, payment);
    const deps = { store, log: { info() {}, warn() {}, error() {} }, callbackSecrets: [] };
    const body = new TextEncoder().encode('shop_orderid=o-1&amount=10.00&currency=208');
    expect(await verifyOrder(deps, body)).toBe('Ordern är redan betald. Du behöver inte betala igen.');
    const overridden = {
      ...deps,
      pageTexts: withPageTextOverrides('{"sv":{"verifyAlreadyPaid":"Redan betald."}}'),
    };
    expect(await verifyOrder(overridden, body)).toBe('Redan betald.');
  });
});
