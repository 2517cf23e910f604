import { createHmac } from 'node:crypto';

/**
 * Signing of the events we POST to the merchant's systems, in the Standard Webhooks format
 * (https://www.standardwebhooks.com): headers `webhook-id`, `webhook-timestamp` (unix seconds) and
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>">`, keyed with the bytes of
 * a `whsec_<base64>` secret. Id and timestamp are inside the signed bytes, so neither an old event nor
 * another event's signature can be replayed; a merchant verifies with the maintained `standardwebhooks`
 * library of their language (`verify-event.ts` wraps the JavaScript one).
 *
 * The signer needs nothing but node:crypto: it runs in the worker on every delivery.
 */

export const webhookHeaders = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

/** Shorter keys can be guessed offline from one signed event; the spec recommends 24 to 64 bytes. */
export const minimumKeyBytes = 16;

const keyPrefix = 'whsec_';
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** What a signing key must look like, for every message that refuses one. */
export const signingKeyShape = `${keyPrefix} followed by the base64 of at least ${minimumKeyBytes} random bytes (e.g. ${keyPrefix}$(openssl rand -base64 32))`;

/** A signing key that cannot be used: a configuration mistake, never a bad event. */
export class WebhookKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookKeyError';
  }
}

/**
 * The HMAC key bytes of a Standard Webhooks secret (`whsec_<base64>`, or the bare base64). Throws
 * WebhookKeyError for an empty, non-base64 or too short key, so nothing is ever signed or believed with
 * a key an attacker could guess.
 */
export function signingKeyBytes(key: string): Buffer {
  const encoded = key.startsWith(keyPrefix) ? key.slice(keyPrefix.length) : key;
  if (encoded === '' || !base64.test(encoded)) {
    throw new WebhookKeyError(`The webhook signing key must be ${signingKeyShape}.`);
  }
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length < minimumKeyBytes) {
    throw new WebhookKeyError(
      `The webhook signing key holds ${bytes.length} bytes; it must be ${signingKeyShape}.`,
    );
  }
  return bytes;
}

/** Whether `key` is a usable signing key (see signingKeyBytes). */
export function isSigningKey(key: string): boolean {
  try {
    signingKeyBytes(key);
    return true;
  } catch {
    return false;
  }
}

export interface SignedWebhook {
  /** The event's id: the same on every retry, so the merchant deduplicates on it. */
  readonly id: string;
  /** The exact bytes that are sent. */
  readonly body: string;
  /** Unix seconds of this attempt. */
  readonly timestamp: number;
  /** The merchant's signing key (`whsec_…`). */
  readonly key: string;
}

/** The three Standard Webhooks headers for one delivery attempt. */
export function signWebhook({ id, body, timestamp, key }: SignedWebhook): Record<string, string> {
  const signature = createHmac('sha256', signingKeyBytes(key))
    .update(`${id}.${timestamp}.${body}`, 'utf8')
    .digest('base64');
  return {
    [webhookHeaders.id]: id,
    [webhookHeaders.timestamp]: String(timestamp),
    [webhookHeaders.signature]: `v1,${signature}`,
  };
}
