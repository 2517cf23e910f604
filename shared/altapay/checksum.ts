import { createHash, timingSafeEqual } from 'node:crypto';
import { ForgedCallbackError } from '../errors';

/**
 * AltaPay's callback checksum (docs/altapay-protocol.md §5): MD5 over `amount,currency,secret,shop_orderid`
 * as sorted `key=value` pairs joined by ',', lowercase hex. It covers only those three raw posted strings, so
 * it proves little on its own; it is one layer, and a missing one is a rejection.
 */

/** The raw posted strings the checksum covers, exactly as decoded from the form body. */
export interface ChecksumFields {
  readonly amount: string;
  readonly currency: string;
  readonly shop_orderid: string;
}

/** Computes the checksum the gateway would send for these fields with this shared secret. */
export function computeChecksum(fields: ChecksumFields, secret: string): string {
  // Sorted by key: amount, currency, secret, shop_orderid.
  const payload = `amount=${fields.amount},currency=${fields.currency},secret=${secret},shop_orderid=${fields.shop_orderid}`;
  return createHash('md5').update(payload, 'utf8').digest('hex');
}

/**
 * True when `checksum` matches any of the `secrets` (current first, then the previous one during a
 * rotation). Compares in constant time: both sides are hashed to a fixed length first, so neither
 * the content nor the length of the posted value leaks through timing.
 */
export function checksumMatches(
  fields: ChecksumFields,
  checksum: string,
  secrets: readonly string[],
): boolean {
  const posted = sha256(checksum.toLowerCase());
  let matched = false;
  for (const secret of secrets) {
    // No early exit: every configured secret is tried, so timing does not reveal which one matched.
    if (timingSafeEqual(posted, sha256(computeChecksum(fields, secret)))) matched = true;
  }
  return matched;
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Refuses (403) a posted form whose checksum is missing or wrong while a secret is configured.
 * Works on the raw decoded fields, before anything else reads them.
 */
export function requireValidChecksum(fields: ReadonlyMap<string, string>, secrets: readonly string[]): void {
  if (secrets.length === 0) return;
  const checksum = fields.get('checksum');
  if (checksum === undefined || checksum === '') {
    throw new ForgedCallbackError(
      'checksum_missing',
      'The callback has no checksum, but a shared secret is configured: is the secret set on the terminal?',
    );
  }
  const covered = {
    amount: fields.get('amount') ?? '',
    currency: fields.get('currency') ?? '',
    shop_orderid: fields.get('shop_orderid') ?? '',
  };
  if (!checksumMatches(covered, checksum, secrets)) {
    throw new ForgedCallbackError(
      'checksum_mismatch',
      "The checksum does not match amount, currency and shop_orderid: is the configured secret the terminal's?",
    );
  }
}
