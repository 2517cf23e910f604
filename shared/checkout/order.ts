import * as z from 'zod/mini';
import { findCurrency } from '../altapay/currency';
import { decodeUtf8 } from '../altapay/form-body';
import { MalformedRequestError } from '../errors';
import { isPositiveAmount } from '../payments/money';
import { describeIssue, rule } from '../validation';
import { checkOrderLinesSum, orderLinesSchema } from './order-lines';
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

export const paymentRequestTypes = [
  'payment',
  'paymentAndCapture',
  'subscription',
  'subscriptionAndCharge',
  'subscriptionAndReserve',
] as const;
export type PaymentRequestType = (typeof paymentRequestTypes)[number];

/** Whole currency units up to 999 999 999, at most 2 decimals; the currency may allow fewer. */
const decimalPattern = /^(0|[1-9]\d{0,8})(\.\d{1,2})?$/;

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
      /** AltaPay's request types: a one-off payment, or a subscription agreement (charged later). */
      type: z.optional(z.enum(paymentRequestTypes)),
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
          /** Where the goods go, when not to the billing address (fraud checks compare the two). */
          shippingFirstName: z.optional(text(100)),
          shippingLastName: z.optional(text(100)),
          shippingAddress: z.optional(text(200)),
          shippingPostalCode: z.optional(text(20)),
          shippingCity: z.optional(text(100)),
          shippingCountry: z.optional(
            matching(/^[A-Z]{2}$/, 'must be a two-letter upper-case country code such as DK'),
          ),
          /** When the customer's account was made in the shop; fraud checks weigh new accounts. */
          createdDate: z.optional(rule(z.iso.date(), 'must be a date in ISO 8601 such as 2024-03-15')),
          /**
           * The customer's browser, for 3-D Secure 2 and fraud checks. A browser form post brings its own
           * (create-payment takes them from the request); a back-end JSON call may pass them here.
           */
          clientIp: z.optional(
            rule(
              z.union([z.ipv4(), z.ipv6()]),
              'must be the IP address the customer ordered from, such as 203.0.113.7',
            ),
          ),
          userAgent: z.optional(text(500)),
        }),
      ),
      /** Ties the payment to the shop's books in AltaPay's reconciliation files. */
      saleReconciliationIdentifier: z.optional(text(100)),
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
  const order = parsed.data;
  checkOrderLinesSum(order.orderLines ?? [], order.amount, order.currency);
  return order;
}
