import * as z from 'zod/mini';
import { findCurrency } from '../altapay/currency';
import { MalformedRequestError } from '../errors';
import { issueMessage, rule } from '../validation';

/**
 * AltaPay terminals are per currency and per payment method ("Shop DKK Card", "Shop EUR Card", "Shop
 * MobilePay"): a payment request names one, and the gateway takes only what that terminal is set up for.
 * The merchant lists theirs once (ALTAPAY_TERMINALS); create-payment picks one per order.
 */

/** An open list (AltaPay adds methods), but one word, so a typo cannot hide in spaces or case. */
export const paymentMethodSchema = rule(
  z.string().check(z.regex(/^[a-z][a-z0-9_]{1,29}$/)),
  'must be a payment method in lower-case letters, such as card, mobilepay, klarna or invoice',
);

/** Every order that names no method is a card payment, as every order was before methods existed. */
export const defaultPaymentMethod = 'card';

export const terminalSchema = z.strictObject({
  /** The terminal's name exactly as AltaPay shows it; the gateway refuses any other spelling. */
  name: rule(
    z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
    'must be the terminal name as AltaPay shows it, such as Shop DKK Card',
  ),
  /** ISO 4217 alpha code; absent only for the one terminal ALTAPAY_TERMINAL names, which takes any. */
  currency: z.optional(
    rule(
      z.string().check(z.refine((code) => findCurrency(code)?.alpha === code)),
      'must be an ISO 4217 currency code in capitals, such as DKK or EUR',
    ),
  ),
  method: paymentMethodSchema,
});
export type Terminal = z.output<typeof terminalSchema>;

const example = '[{"name":"Shop DKK Card","currency":"DKK","method":"card"}]';

/** What ALTAPAY_TERMINALS (or `terminals` in the API secret, or `-c altapayTerminals`) holds. */
export const terminalsSchema = rule(
  z.array(terminalSchema).check(
    z.minLength(1),
    z.maxLength(50),
    z.refine((terminals) => duplicateOf(terminals) === undefined, {
      message: 'must name one terminal per currency and method',
    }),
  ),
  `must be a JSON list of 1 to 50 terminals with name, currency and method, such as ${example}`,
);

function duplicateOf(terminals: readonly Terminal[]): string | undefined {
  const seen = new Set<string>();
  for (const { currency, method } of terminals) {
    const key = `${currency ?? '*'} ${method}`;
    if (seen.has(key)) return key;
    seen.add(key);
  }
  return undefined;
}

/** "Shop DKK Card (DKK, card), Shop EUR Card (EUR, card)": what a shop developer can compare an order with. */
export function describeTerminals(terminals: readonly Terminal[]): string {
  return terminals.map((t) => `${t.name} (${t.currency ?? 'any currency'}, ${t.method})`).join(', ');
}

/**
 * The terminal for an order in `currency` paid with `method`: the one set up for that currency, else
 * one that takes any currency. None is the shop's mistake (a currency or method it has no terminal for),
 * so a 400 that says what is configured.
 */
export function pickTerminal(terminals: readonly Terminal[], currency: string, method: string): Terminal {
  const served = terminals.filter((t) => t.method === method);
  const terminal =
    served.find((t) => t.currency === currency) ?? served.find((t) => t.currency === undefined);
  if (terminal !== undefined) return terminal;
  throw new MalformedRequestError(
    'no_terminal',
    `No terminal takes ${method} payments in ${currency}; configured: ${describeTerminals(terminals)}.`,
  );
}

/**
 * A terminal list outside the function settings (CDK context, the local stack): its JSON text or the
 * list itself; throws naming `setting` and the bad part, as the functions would at start-up.
 */
export function readTerminalList(value: unknown, setting: string): readonly Terminal[] {
  let list = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      list = undefined;
    }
  }
  const parsed = terminalsSchema.safeParse(list, { reportInput: true });
  if (parsed.success) return parsed.data;
  // Named as the settings name an entry: altapayTerminals[0].currency, not "altapayTerminals [0]".
  const [, message] = issueMessage(parsed.error.issues[0], terminalsSchema, { field: '', whole: '' });
  throw new Error(`${setting}${message.startsWith('[') ? '' : ' '}${message.replace(/\.$/, '')}`);
}
