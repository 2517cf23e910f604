import * as z from 'zod/mini';
import { MalformedRequestError } from '../errors';
import { gatewayAmountSchema } from '../payments/money';
import { describeIssue, rule } from '../validation';
import { findCurrency } from './currency';

/**
 * Largest callback body we read. Real callbacks are 3–30 KB (the xml carries customer and order
 * data); 256 KiB leaves room for large baskets and refuses anything absurd before decoding.
 */
export const callbackBodyLimitBytes = 256 * 1024;

/**
 * Shop order ids as the gateway echoes them. The docs say `[a-zA-Z0-9-]{1,100}`, but real documents
 * carry underscores and spaces ('usd_annual_959448_…', '444555 complex invoice'), so callbacks accept
 * those too; markup characters, slashes and control characters are refused.
 */
export const shopOrderIdSchema = rule(
  z.string().check(z.minLength(1), z.maxLength(100), z.regex(/^[A-Za-z0-9_][A-Za-z0-9 _.:-]*$/)),
  'must be 1 to 100 letters, digits, spaces or _ . : -, starting with a letter, digit or _',
);

/** Free text from the gateway: bounded, and no control characters other than tab and newlines. */
const text = (max: number) =>
  z.optional(
    rule(
      z.string().check(
        z.maxLength(max),
        // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
        z.regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/),
      ),
      `must be at most ${max} characters of text, without control characters`,
    ),
  );

/**
 * The callback POST fields we read (docs/altapay-protocol.md §4.1). Everything else the gateway posts
 * (tokens, masked PAN, transaction_info[...]) is dropped here and never stored: the `xml` carries the facts.
 */
export const callbackFormSchema = z.object({
  shop_orderid: shopOrderIdSchema,
  amount: gatewayAmountSchema,
  currency: rule(
    z.string().check(z.refine((code) => findCurrency(code) !== undefined)),
    'must be an ISO 4217 currency code such as 208 or DKK',
  ),
  xml: rule(z.string().check(z.minLength(1)), "must be the gateway's APIResponse XML document"),
  checksum: text(128),
  transaction_id: text(64),
  payment_id: text(64),
  status: text(64),
  payment_status: text(64),
  type: text(64),
  nature: text(64),
  require_capture: text(8),
  error_message: text(1000),
  merchant_error_message: text(2000),
  cardholder_message_must_be_shown: text(8),
});

export type CallbackForm = z.infer<typeof callbackFormSchema>;

/** Validates decoded form fields; a clear 400 names the first bad or missing field. */
export function parseCallbackForm(fields: ReadonlyMap<string, string>): CallbackForm {
  const result = callbackFormSchema.safeParse(Object.fromEntries(fields), { reportInput: true });
  if (result.success) return result.data;
  throw new MalformedRequestError(...describeIssue(result.error, callbackFormSchema));
}
