import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CallbackPageKind,
  type CallbackPageModel,
  escapeHtml,
  renderCallbackPage,
} from '../../shared/pages/index';

const KINDS: readonly CallbackPageKind[] = [
  'paid',
  'pending',
  'failed',
  'cancelled',
  'already-paid',
  'closed',
];

const HEADINGS: Readonly<Record<CallbackPageKind, string>> = {
  paid: 'Thank you — your payment is confirmed',
  pending: 'Your payment is being processed',
  failed: 'Your payment was declined',
  cancelled: 'You cancelled the payment',
  'already-paid': 'This order is already paid',
  closed: 'This order is closed',
};

const GENERIC_FAILURE =
  'The payment was not approved and no money has been taken. You can try again or choose another payment method.';

/** The only elements the template emits; anything else after a `<` would have come from input. */
const ALLOWED_TAGS = new Set([
  'html',
  'head',
  'meta',
  'title',
  'style',
  'body',
  'main',
  'header',
  'div',
  'span',
  'h1',
  'p',
  'dl',
  'dt',
  'dd',
  'footer',
  'nav',
  'a',
]);

/** Hostile inputs and how they must appear in the page, spelled out rather than computed with escapeHtml. */
const HOSTILE: readonly (readonly [raw: string, escaped: string])[] = [
  ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
  ['"><img src=x onerror=alert(1)>', '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'],
  ["'><svg onload=alert(1)>", '&#39;&gt;&lt;svg onload=alert(1)&gt;'],
  ['</style><script>alert(2)</script>', '&lt;/style&gt;&lt;script&gt;alert(2)&lt;/script&gt;'],
  [
    '</title><a href="javascript:alert(3)">x</a>',
    '&lt;/title&gt;&lt;a href=&quot;javascript:alert(3)&quot;&gt;x&lt;/a&gt;',
  ],
  ['&amp; &lt; already-escaped', '&amp;amp; &amp;lt; already-escaped'],
];

function model(overrides: Partial<CallbackPageModel> = {}): CallbackPageModel {
  return {
    kind: 'paid',
    language: 'en',
    shopOrderId: 'ORDER-1001',
    shopUrl: 'https://shop.example/',
    tryAgainUrl: 'https://shop.example/checkout?shopOrderId=ORDER-1001',
    amount: '123.41',
    currency: 'DKK',
    merchantName: 'Acme Shop',
    ...overrides,
  };
}

/** Every markup tag in the document, e.g. `<div class="row">`. */
function tagsOf(html: string): string[] {
  return html.match(/<[^>]*>/g) ?? [];
}

/** Lower-cased name after every `<`, e.g. `div`, `/div`, `!doctype`, or `` for a bare `<`. */
function tagNamesOf(html: string): string[] {
  return [...html.matchAll(/<(\/?!?[^\s/>]*)/g)].map((match) => (match[1] ?? '').toLowerCase());
}

function isAllowedTagName(name: string): boolean {
  return name === '!doctype' || ALLOWED_TAGS.has(name.startsWith('/') ? name.slice(1) : name);
}

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
    expect(escapeHtml('a & b < c > d "e" \'f\'')).toBe('a &amp; b &lt; c &gt; d &quot;e&quot; &#39;f&#39;');
  });

  it('escapes an ampersand that already starts an entity, so escaped text is shown as typed', () => {
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });

  it('leaves unicode and ordinary text unchanged', () => {
    expect(escapeHtml('Blåbærgrød 🍓 ünïcødé — 日本語')).toBe('Blåbærgrød 🍓 ünïcødé — 日本語');
    expect(escapeHtml('')).toBe('');
  });
});

describe('renderCallbackPage', () => {
  describe('document', () => {
    it.each(KINDS)('%s is a complete HTML5 document', (kind) => {
      const html = renderCallbackPage(model({ kind }));

      expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
      expect(html).toContain('<meta charset="utf-8">');
      expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
      expect(html).toContain('<title>');
      expect(html.trimEnd().endsWith('</html>')).toBe(true);
      expect(html.match(/<h1>/g)).toHaveLength(1);
      expect(html.match(/<main[\s>]/g)).toHaveLength(1);
      expect(html).toContain('role="status"');
      expect(html).toContain('Payment processed securely via AltaPay');
    });

    it.each(KINDS)('%s loads nothing external and runs nothing', (kind) => {
      const html = renderCallbackPage(
        model({ kind, cardholderMessage: 'Card declined', shopUrl: undefined, tryAgainUrl: undefined }),
      );

      for (const forbidden of [
        '<script',
        '<link',
        '<img',
        '<form',
        '<iframe',
        'src=',
        'http://',
        'https://',
      ]) {
        expect(html.toLowerCase()).not.toContain(forbidden);
      }
      expect(html.match(/<style>/g)).toHaveLength(1);
      expect(html).toMatch(/overflow-wrap:\s*anywhere/);
    });
  });

  describe('copy', () => {
    it.each(KINDS)('%s shows its heading, the order reference and the merchant', (kind) => {
      const html = renderCallbackPage(model({ kind, shopOrderId: 'SHOP-42-XYZ' }));

      expect(html).toContain(`<h1>${HEADINGS[kind]}</h1>`);
      expect(html).toContain('Order reference');
      expect(html).toContain('SHOP-42-XYZ');
      expect(html).toMatch(/<title>[^<]*Acme Shop<\/title>/);
      expect(html).toContain('<header class="merchant">Acme Shop</header>');
    });

    it('paid shows the amount with its currency', () => {
      expect(renderCallbackPage(model({ kind: 'paid' }))).toContain('<dd>123.41 DKK</dd>');
    });

    it.each(['0.10', '10420.00', '1000000.5', '5', '0.00'])('shows the amount %s verbatim', (amount) => {
      const html = renderCallbackPage(model({ kind: 'paid', amount, currency: 'EUR' }));

      expect(html).toContain(`<dd>${amount} EUR</dd>`);
    });

    it('shows the amount without a currency when the currency is unknown', () => {
      expect(renderCallbackPage(model({ amount: '10.00', currency: undefined }))).toContain('<dd>10.00</dd>');
    });

    it('leaves out the amount row when the amount is unknown', () => {
      const html = renderCallbackPage(model({ amount: undefined }));

      expect(html).not.toContain('Amount');
      expect(html).not.toContain('DKK');
    });

    it('pending says a confirmation will follow and nothing is needed', () => {
      const html = renderCallbackPage(model({ kind: 'pending' }));

      expect(html).toContain('The shop will send you an e-mail');
      expect(html).toContain('nothing more you need to do');
    });

    it('already-paid reassures that no further payment is needed', () => {
      const html = renderCallbackPage(model({ kind: 'already-paid' }));

      expect(html).toContain('No further payment is needed');
    });

    it('closed says the order cannot be paid again, without inviting a retry or showing an amount', () => {
      const html = renderCallbackPage(model({ kind: 'closed' }));

      expect(html).toContain('cannot be paid again');
      expect(html).not.toContain('try again');
      expect(html).not.toContain('123.41');
    });

    it('failed without a cardholder message shows the generic text', () => {
      const html = renderCallbackPage(model({ kind: 'failed', cardholderMessage: undefined }));

      expect(html).toContain(GENERIC_FAILURE);
    });

    it('failed with a blank cardholder message shows the generic text', () => {
      expect(renderCallbackPage(model({ kind: 'failed', cardholderMessage: '  ' }))).toContain(
        GENERIC_FAILURE,
      );
    });

    it('failed shows the cardholder message instead of the generic text', () => {
      const html = renderCallbackPage(
        model({ kind: 'failed', cardholderMessage: 'Your card has expired. Please use another card.' }),
      );

      expect(html).toContain('Your card has expired. Please use another card.');
      expect(html).not.toContain('declined or cancelled');
      expect(html).toContain('You can try again or choose another payment method.');
    });

    it('failed does not show an amount, which would read like a charge', () => {
      expect(renderCallbackPage(model({ kind: 'failed' }))).not.toContain('123.41');
    });

    it.each(['paid', 'pending', 'already-paid', 'closed'] as const)(
      '%s never shows the cardholder message',
      (kind) => {
        const html = renderCallbackPage(
          model({ kind, cardholderMessage: 'Gateway says: card declined 9917' }),
        );

        expect(html).not.toContain('card declined 9917');
      },
    );

    it('leaves out the merchant header when the merchant name is blank', () => {
      const html = renderCallbackPage(model({ merchantName: ' ' }));

      expect(html).not.toContain('<header');
      expect(html).toContain('<title>Payment confirmed</title>');
    });

    it('links back to the shop on every page, and offers try again only when the payment did not go through', () => {
      for (const kind of KINDS) {
        const html = renderCallbackPage(model({ kind }));
        expect(html, kind).toContain(
          '<a class="button" id="back-to-shop" href="https://shop.example/">Back to the shop</a>',
        );
        const retries = kind === 'failed' || kind === 'cancelled';
        expect(html.includes('id="try-again"'), kind).toBe(retries);
      }
      expect(renderCallbackPage(model({ kind: 'cancelled' }))).toContain(
        '<a class="button primary" id="try-again" href="https://shop.example/checkout?shopOrderId=ORDER-1001">Try again</a>',
      );
    });

    it('shows no links when the shop configured none', () => {
      const html = renderCallbackPage(model({ kind: 'failed', shopUrl: undefined, tryAgainUrl: undefined }));

      expect(html).not.toContain('<nav');
      expect(html).not.toContain('<a ');
    });

    it('keeps unicode values as they are', () => {
      const html = renderCallbackPage(model({ merchantName: 'Blåbær & Co 🍓', shopOrderId: 'ØRDER-æøå-✓' }));

      expect(html).toContain('Blåbær &amp; Co 🍓');
      expect(html).toContain('ØRDER-æøå-✓');
    });
  });

  describe('hostile values', () => {
    const fields = ['shopOrderId', 'amount', 'currency', 'cardholderMessage', 'merchantName'] as const;
    const cases = fields.flatMap((field) => HOSTILE.map(([raw, escaped]) => [field, raw, escaped] as const));

    it.each(cases)('%s = %j is escaped', (field, payload, escaped) => {
      // cardholderMessage is only rendered on failed pages; amount and currency only on the others.
      const kind: CallbackPageKind = field === 'cardholderMessage' ? 'failed' : 'paid';
      const benign = renderCallbackPage(model({ kind, cardholderMessage: 'Declined' }));
      const html = renderCallbackPage(model({ kind, cardholderMessage: 'Declined', [field]: payload }));

      expect(html).not.toContain(payload);
      expect(html).toContain(escaped);
      expect(html.toLowerCase()).not.toContain('<script');
      // The payload text may mention `onerror=` or `javascript:`, but never inside markup.
      for (const tag of tagsOf(html)) {
        expect(tag).not.toMatch(/\son[a-z]+\s*=/i);
        expect(tag.toLowerCase()).not.toContain('javascript:');
      }
      // Input never changes the markup, only the text between it.
      expect(tagsOf(html)).toEqual(tagsOf(benign));
    });

    it('keeps a link URL inside its attribute, whatever it holds', () => {
      // The settings only take http(s) URLs; the page still must not trust them.
      const payload = 'https://shop.example/?q="><script>alert(1)</script>';
      const benign = renderCallbackPage(model({ kind: 'failed' }));
      const html = renderCallbackPage(model({ kind: 'failed', shopUrl: payload, tryAgainUrl: payload }));

      expect(html).not.toContain(payload);
      expect(html).toContain(
        'href="https://shop.example/?q=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"',
      );
      expect(tagNamesOf(html)).toEqual(tagNamesOf(benign));
    });

    it.each(KINDS)('%s escapes hostile values in every field at once', (kind) => {
      const payload = '"><img src=x onerror=alert(1)></style><script>x</script>';
      const html = renderCallbackPage({
        kind,
        language: 'en',
        shopOrderId: payload,
        amount: payload,
        currency: payload,
        cardholderMessage: payload,
        merchantName: payload,
      });

      expect(html).not.toContain(payload);
      expect(html).toContain(
        '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;/style&gt;&lt;script&gt;x&lt;/script&gt;',
      );
      expect(tagNamesOf(html).every(isAllowedTagName)).toBe(true);
      expect(html.match(/<\/style>/g)).toHaveLength(1);
    });

    it('renders a 500-character unbroken order id in full', () => {
      const shopOrderId = 'X'.repeat(500);

      expect(renderCallbackPage(model({ shopOrderId }))).toContain(`<dd>${shopOrderId}</dd>`);
    });
  });

  it('for arbitrary strings in every field, never throws and emits only template tags', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 600 }),
      fc.string({ unit: 'grapheme', maxLength: 100 }),
      fc.string({
        unit: fc.constantFrom('<', '>', '"', "'", '&', '/', '=', ' ', 's', 'c', 'r', 'i', 'p', 't'),
      }),
    );
    const arbitraryModel = fc.record(
      {
        kind: fc.constantFrom(...KINDS),
        language: fc.constantFrom('en' as const, 'da' as const, 'fi' as const),
        shopOrderId: text,
        amount: text,
        currency: text,
        cardholderMessage: text,
        merchantName: text,
      },
      { requiredKeys: ['kind', 'language', 'shopOrderId', 'merchantName'] },
    );

    fc.assert(
      fc.property(arbitraryModel, (input) => {
        const names = tagNamesOf(renderCallbackPage(input));

        expect(names.filter((name) => !isAllowedTagName(name))).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });
});
