import * as z from 'zod/mini';
import type { Currency } from '../altapay/currency';
import { MalformedRequestError } from '../errors';
import { rule } from '../validation';

/**
 * Order lines as the Merchant API names them (`orderLines[i][unitPrice]`, ...): what an order is for,
 * and what a capture or refund of part of it covers. One schema for all three. Invoice and Klarna
 * terminals refuse a request whose lines do not add up to its amount, so an order's lines are summed
 * here first (`checkOrderLinesSum`), by the rule AltaPay's own SDKs and plugins follow.
 */

const text = (max: number) =>
  rule(
    z.string().check(z.trim(), z.minLength(1), z.maxLength(max)),
    `must be 1 to ${max} characters, not only spaces`,
  );
const matching = (pattern: RegExp, mustBe: string) => rule(z.string().check(z.regex(pattern)), mustBe);

/** The goods types the Merchant API knows; `discount` and `gift_card` lines take money off. */
export const goodsTypes = [
  'item',
  'physical',
  'digital',
  'shipment',
  'handling',
  'discount',
  'gift_card',
  'sales_tax',
  'subscription_model',
  'refund',
] as const;

/** Lines whose price is money taken off the order: their unitPrice is below zero. */
const reducing = new Set<string>(['discount', 'gift_card']);

const money = /^-?(0|[1-9]\d{0,8})(\.\d{1,2})?$/;

export const orderLineSchema = z
  .strictObject({
    description: text(255),
    itemId: text(100),
    quantity: matching(
      /^\d{1,6}(\.\d{1,3})?$/,
      'must look like 1 or 0.5: digits, then a dot and at most 3 decimals if needed',
    ),
    /** Per unit, excluding tax. */
    unitPrice: matching(
      money,
      'must look like 249.00: digits, a dot, at most 2 decimals; a discount line has a minus, such as -20.00',
    ),
    taxPercent: z.optional(
      matching(/^\d{1,2}(\.\d{1,2})?$/, 'must be a percentage below 100, such as 25 or 12.5'),
    ),
    /** The tax of the whole line (not per unit), as the shop computed it. */
    taxAmount: z.optional(
      matching(money, 'must look like 62.25: the tax of the whole line, at most 2 decimals'),
    ),
    /** Percent off unitPrice × quantity. */
    discount: z.optional(
      matching(/^(100|\d{1,2}(\.\d{1,2})?)$/, 'must be a percentage from 0 to 100, such as 10 or 12.5'),
    ),
    /** The unit the quantity counts, such as pcs or kg. */
    unitCode: z.optional(text(50)),
    goodsType: z.optional(z.enum(goodsTypes)),
  })
  .check(
    z.refine((line) => reducing.has(line.goodsType ?? '') === line.unitPrice.startsWith('-'), {
      message:
        'must be below zero on a discount or gift_card line (money taken off), and not on any other line',
      path: ['unitPrice'],
    }),
  );
export type OrderLine = z.output<typeof orderLineSchema>;

export const orderLinesSchema = rule(
  z.array(orderLineSchema).check(z.maxLength(100)),
  'must be a list of at most 100 order lines',
);

/** A dot-decimal string (sign allowed) as an integer with `scale` decimals; it has at most that many. */
function scaled(value: string, scale: number): bigint {
  const negative = value.startsWith('-');
  const [whole = '0', fraction = ''] = value.replace(/^-/, '').split('.');
  const digits = BigInt(whole + fraction.padEnd(scale, '0'));
  return negative ? -digits : digits;
}

/** `numerator / denominator` rounded half away from zero, as shops and gateways round money. */
function rounded(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n;
  const size = negative ? -numerator : numerator;
  const quotient = (size * 2n + denominator) / (denominator * 2n);
  return negative ? -quotient : quotient;
}

function formatted(minor: bigint, exponent: number): string {
  const sign = minor < 0n ? '-' : '';
  const digits = (minor < 0n ? -minor : minor).toString().padStart(exponent + 1, '0');
  return exponent === 0
    ? `${sign}${digits}`
    : `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/**
 * What one line costs, in the currency's minor units: unitPrice × quantity less its discount percent,
 * rounded to the currency, plus its taxAmount as sent, or, when the shop sent only a taxPercent, that
 * percent of the net, rounded.
 */
export function lineTotalMinor(line: OrderLine, exponent: number): bigint {
  // unitPrice has 2 decimals, quantity 3 and the discount percent 2 (of 100): 10^9 in all.
  const gross = scaled(line.unitPrice, 2) * scaled(line.quantity, 3);
  const kept = 10_000n - scaled(line.discount ?? '0', 2);
  const net = rounded(gross * kept * 10n ** BigInt(exponent), 10n ** 9n);
  if (line.taxAmount !== undefined)
    return net + rounded(scaled(line.taxAmount, 2) * 10n ** BigInt(exponent), 100n);
  if (line.taxPercent !== undefined) return net + rounded(net * scaled(line.taxPercent, 2), 10_000n);
  return net;
}

/**
 * Refuses an order whose lines do not add up to its amount, naming the difference, so the shop learns
 * it from us at once instead of from an invoice terminal's refusal after the customer chose to pay.
 */
export function checkOrderLinesSum(lines: readonly OrderLine[], amount: string, currency: Currency): void {
  if (lines.length === 0) return;
  const { exponent } = currency;
  const sum = lines.reduce((total, line) => total + lineTotalMinor(line, exponent), 0n);
  const expected = scaled(amount, exponent);
  if (sum === expected) return;
  const difference = sum < expected ? expected - sum : sum - expected;
  throw new MalformedRequestError(
    'order_lines_mismatch',
    `The order lines add up to ${formatted(sum, exponent)}, ${formatted(difference, exponent)} ` +
      `${sum < expected ? 'less' : 'more'} than amount ${formatted(expected, exponent)}: each line counts ` +
      'unitPrice × quantity, less its discount percent, plus its taxAmount (or its taxPercent of that). ' +
      'Add the missing line (shipping, a fee, a discount line) or correct the prices.',
  );
}
