import * as z from 'zod/mini';
import { findCurrency } from '../altapay/currency';
import { decodeUtf8 } from '../altapay/form-body';
import { MalformedRequestError } from '../errors';
import { isPositiveAmount } from '../payments/money';
import { describeIssue, rule } from '../validation';
import { paymentMethodSchema } from './terminals';

/**
 * The order the shop's back end signs and `POST /payments` reads (the JSON itself, or the `order` field
 * of a browser form; see signed-order.ts). One schema, one type; limits follow what the gateway accepts.
 */

const text = (max: number) =>
  rule(
    z.string().check(z.trim(), z.minLength(1), z.maxLength(max)),
    `must be 1 to ${max} characters, not only spaces`,
  );
const matching = (pattern: RegExp, mustBe: string) => rule(z.string().check(z.regex(pattern)), mustBe);

/** Whole currency units up to 999 999 999, at most 2 decimals; the currency may allow fewer. */
const decimalPattern = /^(0|[1-9]\d{0,8})(\.\d{1,2})?$/;

/** What is being paid for, as AltaPay names order lines; also what a capture or refund of part of it names. */
export const orderLinesSchema = rule(
  z
    .array(
      z.strictObject({
        description: text(255),
        itemId: text(100),
        quantity: matching(
          /^\d{1,6}(\.\d{1,3})?$/,
          'must look like 1 or 0.5: digits, then a dot and at most 3 decimals if needed',
        ),
        unitPrice: matching(decimalPattern, 'must look like 249.00: digits, a dot, at most 2 decimals'),
        taxPercent: z.optional(
          matching(/^\d{1,2}(\.\d{1,2})?$/, 'must be a percentage below 100, such as 25 or 12.5'),
        ),
        goodsType: z.optional(z.enum(['item', 'shipment', 'handling', 'refund', 'subscription_model'])),
      }),
    )
    .check(z.maxLength(100)),
  'must be a list of at most 100 order lines',
);

export const orderSchema = rule(
  z
    .strictObject({
      /** The gateway's documented alphabet for order ids, plus '_' which real shops use. */
      shopOrderId: matching(
        /^[A-Za-z0-9_-]{1,100}$/,
        'must be 1 to 100 letters (A-Z, a-z), digits, - or _, such as order-1001',
      ),
      amount: rule(
        z.string().check(z.regex(decimalPattern), z.refine(isPositiveAmount)),
        'must look like 249.00: digits, a dot, at most 2 decimals, more than 0 and less than 1000000000',
      ),
      currency: rule(
        z.pipe(
          z.string(),
          z.transform((code, ctx) => {
            const currency = findCurrency(code);
            if (currency === undefined || currency.withdrawn !== undefined) {
              // Unworded: the field's rule says what a currency must look like.
              ctx.issues.push({ code: 'custom', input: code });
              return z.NEVER;
            }
            return currency;
          }),
        ),
        'must be a current ISO 4217 currency code, such as DKK or EUR (or its number, such as 208)',
      ),
      language: z.optional(
        matching(/^[a-z]{2}$/, 'must be a two-letter lower-case language code such as da or en'),
      ),
      type: z.optional(z.enum(['payment', 'paymentAndCapture'])),
      /** How the customer pays; with the currency it picks the terminal (absent: card). */
      paymentMethod: z.optional(paymentMethodSchema),
      /**
       * Until when the signed order may start a payment: a signed order that leaks (a browser history, a
       * log) is worth nothing after it. Signed-order.ts checks it against the clock.
       */
      expiresAt: rule(z.iso.datetime(), 'must be a UTC time in ISO 8601 such as 2026-12-01T12:30:00Z'),
      customer: z.optional(
        z.strictObject({
          email: z.optional(
            rule(
              z.email().check(z.maxLength(200)),
              'must be an e-mail address such as anna@example.com, at most 200 characters',
            ),
          ),
          firstName: z.optional(text(100)),
          lastName: z.optional(text(100)),
          address: z.optional(text(200)),
          postalCode: z.optional(text(20)),
          city: z.optional(text(100)),
          country: z.optional(
            matching(/^[A-Z]{2}$/, 'must be a two-letter upper-case country code such as DK'),
          ),
          phone: z.optional(text(30)),
        }),
      ),
      orderLines: z.optional(orderLinesSchema),
    })
    .check(
      // JPY and ISK have no minor unit: '100.50' JPY cannot be charged and must not be rounded.
      z.refine(
        (order) => (order.amount.split('.')[1]?.replace(/0+$/, '').length ?? 0) <= order.currency.exponent,
        {
          message: 'must not have more decimals than its currency has: none for JPY or ISK, such as 2500',
          path: ['amount'],
        },
      ),
    ),
  'must be a JSON object such as {"shopOrderId": "order-1001", "amount": "249.00", "currency": "DKK", ' +
    '"expiresAt": "2026-12-01T12:30:00Z"}',
);

export type Order = z.output<typeof orderSchema>;

const orderNaming = { field: 'Field', whole: 'The order' };

/** Reads an order from its JSON text (already proven signed); a 400 names the bad or missing field. */
export function parseOrder(json: Uint8Array): Order {
  let input: unknown;
  try {
    input = JSON.parse(decodeUtf8(json));
  } catch (cause) {
    if (cause instanceof MalformedRequestError) throw cause;
    throw new MalformedRequestError('invalid_json', 'The order is not valid JSON.', { cause });
  }
  const parsed = orderSchema.safeParse(input, { reportInput: true });
  if (!parsed.success)
    throw new MalformedRequestError(...describeIssue(parsed.error, orderSchema, orderNaming));
  return parsed.data;
}
