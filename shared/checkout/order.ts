import * as z from 'zod/mini';
import { findCurrency } from '../altapay/currency';
import { decodeFormBody, decodeUtf8 } from '../altapay/form-body';
import { MalformedRequestError } from '../errors';
import { describeIssue } from '../validation';

/**
 * The order the shop's checkout posts to `POST /payments` (JSON, or a browser form with the top-level
 * fields). One schema, one type; limits follow what the gateway accepts.
 */

const text = (max: number) =>
  z
    .string()
    .check(
      z.trim(),
      z.minLength(1, 'must not be empty'),
      z.maxLength(max, `must be at most ${max} characters`),
    );
const matching = (pattern: RegExp, message: string) => z.string().check(z.regex(pattern, message));
const decimal = (what: string) =>
  matching(/^(0|[1-9]\d{0,8})(\.\d{1,2})?$/, `must be ${what} with at most 2 decimals, such as 123.45`);

export const orderSchema = z
  .strictObject({
    /** The gateway's documented alphabet for order ids, plus '_' which real shops use. */
    shopOrderId: matching(/^[A-Za-z0-9_-]{1,100}$/, 'must be 1-100 letters, digits, - or _'),
    amount: decimal('an amount above 0').check(z.refine((a) => /[1-9]/.test(a), 'must be above 0')),
    currency: z.pipe(
      z.string(),
      z.transform((code, ctx) => {
        const currency = findCurrency(code);
        if (currency === undefined || currency.withdrawn !== undefined) {
          ctx.issues.push({
            code: 'custom',
            message: 'must be a current ISO 4217 currency such as DKK or 208',
            input: code,
          });
          return z.NEVER;
        }
        return currency;
      }),
    ),
    language: z.optional(matching(/^[a-z]{2}$/, 'must be a two-letter language code such as da or en')),
    type: z.optional(z.enum(['payment', 'paymentAndCapture'])),
    customer: z.optional(
      z.strictObject({
        email: z.optional(
          z.email('must be an e-mail address').check(z.maxLength(200, 'must be at most 200 characters')),
        ),
        firstName: z.optional(text(100)),
        lastName: z.optional(text(100)),
        address: z.optional(text(200)),
        postalCode: z.optional(text(20)),
        city: z.optional(text(100)),
        country: z.optional(matching(/^[A-Z]{2}$/, 'must be a two-letter country code such as DK')),
        phone: z.optional(text(30)),
      }),
    ),
    orderLines: z.optional(
      z
        .array(
          z.strictObject({
            description: text(255),
            itemId: text(100),
            quantity: matching(/^\d{1,6}(\.\d{1,3})?$/, 'must be a decimal quantity such as 1 or 0.5'),
            unitPrice: decimal('a unit price'),
            taxPercent: z.optional(matching(/^\d{1,2}(\.\d{1,2})?$/, 'must be a percentage such as 25')),
            goodsType: z.optional(z.enum(['item', 'shipment', 'handling', 'refund', 'subscription_model'])),
          }),
        )
        .check(z.maxLength(100, 'must hold at most 100 order lines')),
    ),
  })
  .check(
    // JPY and ISK have no minor unit: '100.50' JPY cannot be charged and must not be rounded.
    z.refine(
      (order) => (order.amount.split('.')[1]?.replace(/0+$/, '').length ?? 0) <= order.currency.exponent,
      {
        message: 'has more decimals than the currency allows',
        path: ['amount'],
      },
    ),
  );

export type Order = z.output<typeof orderSchema>;

/** The fields a browser form may post; anything else on the form (a submit button's name) is ignored. */
const formFields = ['shopOrderId', 'amount', 'currency', 'language', 'type'] as const;

/** Reads an order from a JSON body or a browser form's fields; a 400 names the bad or missing field. */
export function parseOrder(body: Uint8Array, format: 'json' | 'form'): Order {
  let input: unknown;
  if (format === 'json') {
    try {
      input = JSON.parse(decodeUtf8(body));
    } catch (cause) {
      if (cause instanceof MalformedRequestError) throw cause;
      throw new MalformedRequestError('invalid_json', 'Request body is not valid JSON.', { cause });
    }
  } else {
    const fields = decodeFormBody(body);
    input = Object.fromEntries(
      formFields.flatMap((name) => (fields.has(name) ? [[name, fields.get(name)]] : [])),
    );
  }
  const parsed = orderSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) throw new MalformedRequestError(...describeIssue(parsed.error));
  return parsed.data;
}
