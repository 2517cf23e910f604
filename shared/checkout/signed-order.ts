import { decodeFormBody } from '../altapay/form-body';
import { ClientError, MalformedRequestError } from '../errors';
import { type Order, parseOrder } from './order';
import { verifyOrderSignature } from './order-signature';

/**
 * What `POST /payments` believes: an order the shop's back end signed, not yet expired. The signature
 * is checked before the order is read at all, so an unsigned or tampered order learns nothing from
 * field messages, and nothing the browser adds outside the signed text counts.
 */

/** How a signed order arrives. */
export type SignedOrderRequest =
  /** The shop's back end posts the order JSON; the signature is the `Order-Signature` header. */
  | { readonly format: 'json'; readonly body: Uint8Array; readonly signature: string | undefined }
  /** The customer's browser posts the form the shop rendered: hidden fields `order` and `signature`. */
  | { readonly format: 'form'; readonly body: Uint8Array };

/**
 * A signed order stays usable for at most this long: long enough for a customer to finish a checkout,
 * short enough that a leaked one soon starts nothing.
 */
export const orderLifetimeLimitHours = 24;

/** The order in `request`, once its signature holds under one of `keys` and it has not expired. */
export function readSignedOrder(request: SignedOrderRequest, keys: readonly string[], now: Date): Order {
  const { orderJson, signature } = signedParts(request);
  verifyOrderSignature(orderJson, signature, keys);
  const order = parseOrder(orderJson);
  checkExpiry(order.expiresAt, now);
  return order;
}

function signedParts(request: SignedOrderRequest): { orderJson: Uint8Array; signature: string | undefined } {
  if (request.format === 'json') return { orderJson: request.body, signature: request.signature };
  // Only these two fields count; a submit button's name or a field a browser extension adds is ignored.
  const fields = decodeFormBody(request.body);
  return { orderJson: Buffer.from(fields.get('order') ?? '', 'utf8'), signature: fields.get('signature') };
}

function checkExpiry(expiresAt: string, now: Date): void {
  const expires = Date.parse(expiresAt);
  if (expires <= now.getTime()) {
    throw new ClientError(
      403,
      'order_expired',
      `The order expired at ${expiresAt} (its expiresAt): the shop must sign a fresh order.`,
    );
  }
  if (expires - now.getTime() > orderLifetimeLimitHours * 3_600_000) {
    throw new MalformedRequestError(
      'invalid_field',
      `Field expiresAt must be at most ${orderLifetimeLimitHours} hours ahead, such as 30 minutes from now; ` +
        `${expiresAt} is later.`,
    );
  }
}
