import { createHmac, timingSafeEqual } from 'node:crypto';
import { ClientError } from '../errors';

/**
 * Orders signed by the shop. Only the shop's back end decides what a customer pays: it signs the order
 * (the exact UTF-8 bytes of its JSON, amount, currency, type, order lines and expiry inside) with the
 * shop key, HMAC-SHA256, and `POST /payments` believes nothing it did not sign. The browser carries
 * the signed order and its signature in two hidden form fields, or the back end sends the JSON itself
 * with the signature in the `Order-Signature` header; either way a changed byte is a refusal.
 *
 * The signature is `v1=<64 lowercase hex>`, what PHP's `hash_hmac('sha256', $json, $key)` and
 * Python's `hmac.new(key, json, 'sha256').hexdigest()` give after the `v1=` prefix.
 */

export const orderSignatureHeader = 'order-signature';

/** A key shorter than this could be guessed from one signed order; 32 random characters are plenty. */
export const minimumShopKeyLength = 32;

export const shopKeyShape = `at least ${minimumShopKeyLength} characters, e.g. the output of openssl rand -hex 32`;

/** Why an order was not believed. 401: no signature at all; 403: a signature that does not hold. */
export class OrderSignatureError extends ClientError {
  constructor(
    code: 'order_unsigned' | 'order_signature_malformed' | 'order_signature_mismatch',
    message: string,
  ) {
    super(code === 'order_unsigned' ? 401 : 403, code, message);
    this.name = 'OrderSignatureError';
  }
}

/** Whether `key` is long enough to sign orders with. */
export function isShopKey(key: string): boolean {
  return key.length >= minimumShopKeyLength;
}

/**
 * The `Order-Signature` value for `orderJson` (the exact text that will be sent). The Node helper for a
 * shop's back end; other languages need only their HMAC function (see the README).
 */
export function signOrder(orderJson: string, key: string): string {
  if (!isShopKey(key)) throw new Error(`The shop key must be ${shopKeyShape}.`);
  return `v1=${hmacHex(key, Buffer.from(orderJson, 'utf8'))}`;
}

const signatureShape = /^v1=[0-9a-f]{64}$/;

/**
 * Checks that `signature` signs exactly `order` (its bytes as received) with one of `keys` (current
 * first, then the previous one during a rotation). Throws OrderSignatureError; compares in constant
 * time and tries every key, so timing says nothing about which one matched.
 */
export function verifyOrderSignature(
  order: Uint8Array,
  signature: string | undefined,
  keys: readonly string[],
): void {
  if (signature === undefined || signature === '') {
    throw new OrderSignatureError(
      'order_unsigned',
      'The order is not signed: the shop must sign it with its shop key and send the signature ' +
        '(the Order-Signature header, or the signature field of the form).',
    );
  }
  if (!signatureShape.test(signature)) {
    throw new OrderSignatureError(
      'order_signature_malformed',
      'The order signature must look like v1= followed by 64 lowercase hex digits (HMAC-SHA256 of the order).',
    );
  }
  const given = Buffer.from(signature.slice(3), 'hex');
  let matched = false;
  for (const key of keys) {
    if (timingSafeEqual(given, Buffer.from(hmacHex(key, order), 'hex'))) matched = true;
  }
  if (!matched) {
    throw new OrderSignatureError(
      'order_signature_mismatch',
      'The order signature does not match: sign the exact bytes you send, with the shop key configured here.',
    );
  }
}

function hmacHex(key: string, bytes: Uint8Array): string {
  return createHmac('sha256', key).update(bytes).digest('hex');
}
