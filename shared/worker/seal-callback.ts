import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { MalformedRequestError } from '../errors';
import { describeIssue } from '../validation';
import { type QueuedCallback, queuedCallbackSchema, type SealedCallback } from './work-message';

/**
 * Seals a queued callback with an HMAC-SHA256, so nobody who can write to the work queue (or edit a
 * message in its dead-letter queue and redrive it) makes the worker record an amount or status the
 * gateway never sent.
 *
 * The key is derived with HKDF from the terminal's callback secret. Only the callback Lambdas (verify-order
 * among them) and the worker hold that secret: the writers and the reader of sealed callbacks. A
 * dedicated secret would be one more to provision, grant and rotate, and would protect nothing the
 * callback secret does not already guard (whoever has it can post verified callbacks directly). The
 * HKDF label keeps the two uses apart: the queue key is not a checksum key and does not reveal the
 * secret. A rotation needs nothing extra: a message sealed under the previous secret still opens
 * while that secret is configured as the previous one.
 *
 * Without a callback secret (local development), callbacks are not verified at all, so the key is
 * derived from the empty secret: it is public, and the MAC then only catches accidental damage. A
 * worker that has a secret refuses messages sealed that way.
 */
const label = 'altapay-payments queued-callback mac v1';

function queueKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, '', label, 32));
}

function macOf(text: string, secret: string): Buffer {
  return createHmac('sha256', queueKey(secret)).update(text, 'utf8').digest();
}

/**
 * Seals with the current secret (the first), or the empty one when none is configured. Only what the
 * schema lists is written: anything else on `callback` is left off the queue.
 */
export function sealCallback(callback: QueuedCallback, secrets: readonly string[]): SealedCallback {
  const text = JSON.stringify(queuedCallbackSchema.parse(callback));
  return { callback: text, mac: macOf(text, secrets[0] ?? '').toString('base64url') };
}

/**
 * Opens a sealed callback: checks its MAC against every configured secret, then reads it. A MAC that
 * matches none is a MalformedRequestError: the worker parks the message, never records it.
 */
export function openCallback(sealed: SealedCallback, secrets: readonly string[]): QueuedCallback {
  const posted = Buffer.from(sealed.mac, 'base64url');
  let matched = false;
  for (const secret of secrets.length === 0 ? [''] : secrets) {
    const expected = macOf(sealed.callback, secret);
    // No early exit, as for the checksum: timing does not tell which secret matched.
    if (posted.length === expected.length && timingSafeEqual(posted, expected)) matched = true;
  }
  if (!matched) {
    throw new MalformedRequestError(
      'queued_callback_mac_mismatch',
      'The queued callback does not match its MAC: it was changed on the queue, or sealed with another callback secret. Not recorded.',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(sealed.callback);
  } catch (cause) {
    throw new MalformedRequestError('invalid_message', 'The queued callback is not JSON.', { cause });
  }
  const parsed = queuedCallbackSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    throw new MalformedRequestError(
      ...describeIssue(parsed.error, queuedCallbackSchema, {
        field: 'Queued callback field',
        whole: 'The queued callback',
      }),
    );
  }
  return parsed.data;
}
