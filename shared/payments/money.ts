import * as z from 'zod/mini';
import { rule } from '../validation';

/**
 * Money as exact decimal strings. The gateway sends amounts as dot-decimal strings ('123.41', '0',
 * '10420.00'); we keep them as strings and compare them as integers, never as floats.
 */

/** A non-negative dot-decimal amount: up to 15 integer digits and 6 decimals, no sign, no exponent. */
export const decimalAmountPattern = /^(0|[1-9]\d{0,14})(\.\d{1,6})?$/;

/** An amount as the gateway writes it, in a callback form or its XML. */
export const gatewayAmountSchema = rule(
  z.string().check(z.regex(decimalAmountPattern)),
  'must look like 249.00: up to 15 digits, a dot, at most 6 decimals, no sign',
);

/** True when `value` is an amount this system accepts (see `decimalAmountPattern`). */
export function isDecimalAmount(value: string): boolean {
  return decimalAmountPattern.test(value);
}

/** True when the amount is greater than zero. `amount` must be a valid decimal amount. */
export function isPositiveAmount(amount: string): boolean {
  return /[1-9]/.test(amount);
}

/** Scales a decimal amount to an integer with `scale` decimals; exact, for comparison only. */
function scaled(amount: string, scale: number): bigint {
  const [whole = '0', fraction = ''] = amount.split('.');
  return BigInt(whole + fraction.padEnd(scale, '0'));
}

function fractionDigits(amount: string): number {
  return amount.split('.')[1]?.length ?? 0;
}

/** Compares two decimal amounts exactly: -1, 0 or 1. '1.5' equals '1.50'. */
export function compareAmounts(a: string, b: string): -1 | 0 | 1 {
  const scale = Math.max(fractionDigits(a), fractionDigits(b));
  const x = scaled(a, scale);
  const y = scaled(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Converts a decimal amount to integer minor units of a currency with `exponent` decimals
 * ('123.41', 2 → 12341n). Undefined when the amount has more significant decimals than the
 * currency allows ('1.005' in DKK): such an amount cannot be charged and must be rejected, not rounded.
 */
export function toMinorUnits(amount: string, exponent: number): bigint | undefined {
  const fraction = amount.split('.')[1] ?? '';
  if (fraction.length > exponent && /[1-9]/.test(fraction.slice(exponent))) return undefined;
  return scaled(amount.split('.')[0] + (fraction ? `.${fraction.slice(0, exponent)}` : ''), exponent);
}

/** Writes a scaled integer back as a decimal amount with `scale` decimals. */
function unscaled(value: bigint, scale: number): string {
  const sign = value < 0n ? '-' : '';
  const digits = (value < 0n ? -value : value).toString().padStart(scale + 1, '0');
  return scale === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** `a + b`, exact, with as many decimals as the longer of the two ('100.00' + '49' = '149.00'). */
export function addAmounts(a: string, b: string): string {
  const scale = Math.max(fractionDigits(a), fractionDigits(b));
  return unscaled(scaled(a, scale) + scaled(b, scale), scale);
}

/** `a - b`, exact, with as many decimals as the longer of the two; negative ('-1.00') when b > a. */
export function subtractAmounts(a: string, b: string): string {
  const scale = Math.max(fractionDigits(a), fractionDigits(b));
  return unscaled(scaled(a, scale) - scaled(b, scale), scale);
}
