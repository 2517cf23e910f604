import { describe, expect, it } from 'vitest';
import { loadSettings, readSettings } from '../../functions/runtime/settings';
import { pickTerminal, type Terminal } from '../../shared/checkout/terminals';
import { ClientError } from '../../shared/errors';

const base = { PAYMENTS_TABLE_NAME: 'payments' };

/** A Danish shop selling in DKK and EUR, with MobilePay for Danish customers. */
const terminals: readonly Terminal[] = [
  { name: 'Shop DKK Card', currency: 'DKK', method: 'card' },
  { name: 'Shop EUR Card', currency: 'EUR', method: 'card' },
  { name: 'Shop DKK MobilePay', currency: 'DKK', method: 'mobilepay' },
];

const refusal = (run: () => unknown): ClientError => {
  try {
    run();
  } catch (error) {
    if (error instanceof ClientError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('picking the terminal of an order', () => {
  it('takes the terminal set up for the order currency and method', () => {
    expect(pickTerminal(terminals, 'EUR', 'card').name).toBe('Shop EUR Card');
    expect(pickTerminal(terminals, 'DKK', 'card').name).toBe('Shop DKK Card');
    expect(pickTerminal(terminals, 'DKK', 'mobilepay').name).toBe('Shop DKK MobilePay');
  });

  it('refuses a currency or method no terminal takes with a 400 that names what is configured', () => {
    const sek = refusal(() => pickTerminal(terminals, 'SEK', 'card'));
    expect(sek.status).toBe(400);
    expect(sek.code).toBe('no_terminal');
    expect(sek.message).toBe(
      'No terminal takes card payments in SEK; configured: Shop DKK Card (DKK, card), ' +
        'Shop EUR Card (EUR, card), Shop DKK MobilePay (DKK, mobilepay).',
    );
    expect(refusal(() => pickTerminal(terminals, 'EUR', 'mobilepay')).message).toMatch(
      /^No terminal takes mobilepay payments in EUR; configured: Shop DKK Card/,
    );
  });

  it('runs every card order on the one ALTAPAY_TERMINAL, whatever its currency, and nothing else', () => {
    const single = readSettings({ ...base, ALTAPAY_TERMINAL: 'Shop Card' }).terminals;

    expect(pickTerminal(single, 'SEK', 'card').name).toBe('Shop Card');
    expect(refusal(() => pickTerminal(single, 'DKK', 'klarna')).message).toBe(
      'No terminal takes klarna payments in DKK; configured: Shop Card (any currency, card).',
    );
  });

  it('prefers the terminal of the currency over one that takes any', () => {
    const mixed: Terminal[] = [
      { name: 'Any Card', method: 'card' },
      { name: 'EUR Card', currency: 'EUR', method: 'card' },
    ];
    expect(pickTerminal(mixed, 'EUR', 'card').name).toBe('EUR Card');
    expect(pickTerminal(mixed, 'NOK', 'card').name).toBe('Any Card');
  });
});

describe('the ALTAPAY_TERMINALS setting', () => {
  it('reads the JSON list of terminals', () => {
    expect(readSettings({ ...base, ALTAPAY_TERMINALS: JSON.stringify(terminals) }).terminals).toEqual(
      terminals,
    );
  });

  it('has no terminal when neither setting is there (create-payment then refuses to start)', () => {
    expect(readSettings(base).terminals).toEqual([]);
  });

  it.each([
    [
      'not JSON',
      "[{name:'Shop DKK Card'}]",
      'ALTAPAY_TERMINALS must be a JSON list of 1 to 50 terminals with name, currency and method, such as [{"name":"Shop DKK Card","currency":"DKK","method":"card"}]',
    ],
    [
      'an empty list',
      '[]',
      'ALTAPAY_TERMINALS must be a JSON list of 1 to 50 terminals with name, currency and method, such as [{"name":"Shop DKK Card","currency":"DKK","method":"card"}]',
    ],
    [
      'a currency in lower case',
      '[{"name":"Shop DKK Card","currency":"dkk","method":"card"}]',
      'ALTAPAY_TERMINALS[0].currency must be an ISO 4217 currency code in capitals, such as DKK or EUR',
    ],
    [
      'a method with a capital',
      '[{"name":"Shop DKK Card","currency":"DKK","method":"MobilePay"}]',
      'ALTAPAY_TERMINALS[0].method must be a payment method in lower-case letters, such as card, mobilepay, klarna or invoice',
    ],
    [
      'a terminal without a name',
      '[{"currency":"DKK","method":"card"}]',
      'ALTAPAY_TERMINALS[0].name is required and must be the terminal name as AltaPay shows it, such as Shop DKK Card',
    ],
    [
      'a misspelt field',
      '[{"name":"Shop DKK Card","currency":"DKK","methods":"card"}]',
      'ALTAPAY_TERMINALS[0].method is required and must be a payment method in lower-case letters, such as card, mobilepay, klarna or invoice; ' +
        'ALTAPAY_TERMINALS[0].methods is not accepted; the accepted fields are name, currency and method',
    ],
    [
      'two terminals for one currency and method',
      '[{"name":"A","currency":"DKK","method":"card"},{"name":"B","currency":"DKK","method":"card"}]',
      'ALTAPAY_TERMINALS must name one terminal per currency and method',
    ],
  ])('stops at start-up on %s, saying what the list must look like', (_, value, message) => {
    expect(() => readSettings({ ...base, ALTAPAY_TERMINALS: value })).toThrow(
      new Error(`Invalid settings: ${message}`),
    );
  });

  it('refuses ALTAPAY_TERMINAL next to ALTAPAY_TERMINALS rather than guess which one counts', () => {
    expect(() =>
      readSettings({ ...base, ALTAPAY_TERMINAL: 'Old', ALTAPAY_TERMINALS: JSON.stringify(terminals) }),
    ).toThrow(/ALTAPAY_TERMINAL and ALTAPAY_TERMINALS are both set/);
  });

  it('takes `terminals` from the API secret, as a list', async () => {
    const settings = await loadSettings({ ...base, ALTAPAY_API_SECRET_ARN: 'arn:api' }, async () =>
      JSON.stringify({ username: 'u', password: 'p', terminals }),
    );

    expect(settings.terminals).toEqual(terminals);
  });
});
