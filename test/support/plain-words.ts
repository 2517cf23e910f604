/**
 * Phrases that belong to a validator, not to a person: zod's issue codes and default messages, and
 * what a missing value looks like when printed. No message we send may contain one.
 */
export const validatorWording: readonly string[] = [
  'valid regex',
  'regex',
  'invalid_format',
  'invalid_type',
  'invalid_value',
  'invalid_union',
  'too_big',
  'too_small',
  'unrecognized',
  'Invalid input',
  'expected string',
  'received undefined',
  'wrong type',
  'must be a valid',
  'undefined',
  'NaN',
  '[object Object]',
];

/** The validator phrases `message` contains (none, for a message fit to send). */
export function validatorPhrasesIn(message: string): string[] {
  const lower = message.toLowerCase();
  // NaN is printed in exactly that case; any case would find it in "subscriptionAndCharge".
  return validatorWording.filter((phrase) =>
    phrase === 'NaN' ? message.includes(phrase) : lower.includes(phrase.toLowerCase()),
  );
}
