import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { signingKeyBytes, signingKeyShape, WebhookKeyError, webhookHeaders } from './signature';

/**
 * Verifying a payment event on the merchant's side, with the `standardwebhooks` library (the reference
 * implementation of the Standard Webhooks spec, maintained apart from this code: that our signer and it
 * agree is what proves a merchant in any language can verify our events).
 *
 * It adds what a payments service must not leave to chance: it fails closed on a missing, empty or
 * short key (a `WebhookKeyError`, before any event is looked at), reads the headers strictly (the
 * library's `parseInt` would take `1700000000junk` as a timestamp), and takes several keys so the
 * signing key can be rotated without a gap.
 */

/** Why an event was not believed. `reason` is stable; the message names the likely mistake. */
export class WebhookSignatureError extends Error {
  constructor(
    readonly reason: 'missing' | 'malformed' | 'expired' | 'mismatch',
    message: string,
  ) {
    super(message);
    this.name = 'WebhookSignatureError';
  }
}

export interface VerifyPaymentEventOptions {
  /** The raw request body exactly as received: verify BEFORE parsing or re-serialising it. */
  readonly body: string | Uint8Array;
  /** The request's headers (any case); only the three `webhook-*` ones are read. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Your signing key (`whsec_…`); during a rotation, the new and the old one. */
  readonly keys: string | readonly string[];
}

const idShape = /^[\x21-\x7e]{1,255}$/;
const timestampShape = /^[0-9]{1,12}$/;
const signaturesShape = /^v1,[A-Za-z0-9+/]+={0,2}(?: v1,[A-Za-z0-9+/]+={0,2})*$/;

/**
 * Checks a payment event's Standard Webhooks signature and returns the parsed event. Throws
 * WebhookSignatureError when the headers are missing, malformed, too old (or new: 5 minutes either
 * way) or the signature is wrong, and WebhookKeyError when a key itself is unusable.
 */
export function verifyPaymentEvent<T = unknown>(options: VerifyPaymentEventOptions): T {
  const keys = typeof options.keys === 'string' ? [options.keys] : options.keys;
  if (keys.length === 0) throw new WebhookKeyError(`No signing key given: it must be ${signingKeyShape}.`);
  const verifiers = keys.map((key) => {
    signingKeyBytes(key);
    return new Webhook(key);
  });
  const headers = readHeaders(options.headers);
  const body = typeof options.body === 'string' ? options.body : Buffer.from(options.body).toString('utf8');
  let lastError: unknown;
  for (const verifier of verifiers) {
    try {
      return verifier.verify(body, headers) as T;
    } catch (error) {
      lastError = error;
    }
  }
  if (lastError instanceof WebhookVerificationError && /timestamp too (old|new)/.test(lastError.message)) {
    throw new WebhookSignatureError(
      'expired',
      `The event was signed at ${headers[webhookHeaders.timestamp]}, more than 5 minutes from now: a replay, or a clock that is off.`,
    );
  }
  throw new WebhookSignatureError(
    'mismatch',
    'The signature does not match: is the signing key right, and is the body verified exactly as received?',
  );
}

function readHeaders(given: VerifyPaymentEventOptions['headers']): Record<string, string> {
  const lowerCased = new Map(Object.entries(given).map(([name, value]) => [name.toLowerCase(), value]));
  const read = (name: string, shape: RegExp, looksLike: string): string => {
    const value = lowerCased.get(name);
    if (value === undefined || value === '') {
      throw new WebhookSignatureError(
        'missing',
        `No ${name} header: is this request from the payment service?`,
      );
    }
    if (typeof value !== 'string' || !shape.test(value)) {
      throw new WebhookSignatureError('malformed', `The ${name} header must look like ${looksLike}, once.`);
    }
    return value;
  };
  return {
    [webhookHeaders.id]: read(webhookHeaders.id, idShape, 'evt_… (printable characters)'),
    [webhookHeaders.timestamp]: read(webhookHeaders.timestamp, timestampShape, 'unix seconds (digits only)'),
    [webhookHeaders.signature]: read(
      webhookHeaders.signature,
      signaturesShape,
      'v1,<base64>, several separated by spaces',
    ),
  };
}
