import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signing of the events we POST to the merchant's systems, the way well-known payment providers sign
 * webhooks: HMAC-SHA256 over `<timestamp>.<raw body>`, sent as
 * `Payment-Webhook-Signature: t=<unix seconds>,v1=<hex>`. The timestamp inside the signed bytes stops
 * replays of old events; several `v1=` values are allowed so a signing key can be rotated.
 *
 * This file depends on nothing but node:crypto, so a merchant can use `verifyWebhook` as it is.
 */

export const signatureHeader = 'payment-webhook-signature';

/** Why a webhook was not believed. The message names the likely mistake. */
export class WebhookSignatureError extends Error {
  constructor(
    readonly reason: 'missing' | 'malformed' | 'expired' | 'mismatch',
    message: string,
  ) {
    super(message);
    this.name = 'WebhookSignatureError';
  }
}

/** The header value for `body` signed with `secret` at `timestamp` (unix seconds). */
export function signWebhook(body: string, secret: string, timestamp: number): string {
  return `t=${timestamp},v1=${hmac(secret, `${timestamp}.${body}`)}`;
}

export interface VerifyWebhookOptions {
  /** The raw request body exactly as received: verify BEFORE parsing or re-serialising it. */
  readonly body: string | Uint8Array;
  /** The `Payment-Webhook-Signature` header value. */
  readonly signature: string | undefined;
  /** Your signing key; during a rotation, both the new and the old one. */
  readonly secret: string | readonly string[];
  /** How old a signature may be (default 300 s): older ones are refused as possible replays. */
  readonly toleranceSeconds?: number;
  /** Unix seconds now (injectable for tests). */
  readonly now?: () => number;
}

/**
 * Checks a webhook's signature and returns the parsed event. Throws WebhookSignatureError when the
 * signature is missing, malformed, too old or wrong. Compares in constant time.
 *
 * ```ts
 * app.post('/payment-events', express.raw({ type: 'application/json' }), (req, res) => {
 *   const event = verifyWebhook({ body: req.body, signature: req.get('payment-webhook-signature'), secret: KEY });
 *   // deduplicate on event.id, then act on event.type
 *   res.sendStatus(204);
 * });
 * ```
 */
export function verifyWebhook<T = unknown>(options: VerifyWebhookOptions): T {
  const { signature, toleranceSeconds = 300 } = options;
  const body = typeof options.body === 'string' ? options.body : new TextDecoder().decode(options.body);
  if (!signature) {
    throw new WebhookSignatureError(
      'missing',
      `No ${signatureHeader} header: is this request from the payment service?`,
    );
  }
  const parts = signature.split(',').map((part) => part.trim().split('='));
  const timestamp = Number(parts.find(([key]) => key === 't')?.[1]);
  const candidates = parts
    .filter(([key, value]) => key === 'v1' && value !== undefined)
    .map(([, value]) => value ?? '');
  if (!Number.isInteger(timestamp) || candidates.length === 0) {
    throw new WebhookSignatureError(
      'malformed',
      `The ${signatureHeader} header must look like t=<seconds>,v1=<hex>.`,
    );
  }
  const now = options.now?.() ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > toleranceSeconds) {
    throw new WebhookSignatureError(
      'expired',
      `The signature is ${now - timestamp} s old (tolerance ${toleranceSeconds} s): a replay, or a clock that is off.`,
    );
  }
  const secrets = typeof options.secret === 'string' ? [options.secret] : options.secret;
  let matched = false;
  for (const secret of secrets) {
    const expected = Buffer.from(hmac(secret, `${timestamp}.${body}`), 'hex');
    for (const candidate of candidates) {
      const given = Buffer.from(candidate, 'hex');
      if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
    }
  }
  if (!matched) {
    throw new WebhookSignatureError(
      'mismatch',
      'The signature does not match: is the signing key right, and is the body verified exactly as received?',
    );
  }
  return JSON.parse(body) as T;
}

function hmac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload, 'utf8').digest('hex');
}
