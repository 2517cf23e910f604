import { localShopOrderKey } from '../../local/shop-order-key';
import { encodeFormBody } from '../../shared/altapay/form-body';
import { signOrder } from '../../shared/checkout/order-signature';

/**
 * Orders as a shop's back end sends them to `POST /payments`: the JSON signed with the shop key
 * (`signOrder`, the helper the README gives merchants), as a JSON call or as the browser form the shop
 * renders. The local stack's key unless a test says otherwise.
 */

/** An `expiresAt` `minutes` from now (30 by default, as the demo shop signs), in the README's format. */
export const expiresIn = (minutes = 30): string =>
  new Date(Date.now() + minutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

/** The order's JSON text, with an `expiresAt` half an hour ahead unless the order has its own. */
export const orderJson = (order: Record<string, unknown>): string =>
  JSON.stringify({ expiresAt: expiresIn(), ...order });

/** A `fetch` request for the back end's JSON call: the exact body, and its `Order-Signature`. */
export function signedJsonRequest(
  order: Record<string, unknown> | string,
  key: string = localShopOrderKey,
): RequestInit & { body: string; headers: Record<string, string> } {
  const body = typeof order === 'string' ? order : orderJson(order);
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'order-signature': signOrder(body, key) },
    body,
  };
}

/** The form body a browser posts from the shop's checkout page: hidden fields `order` and `signature`. */
export function signedFormBody(
  order: Record<string, unknown> | string,
  key: string = localShopOrderKey,
  extra: Record<string, string> = {},
): string {
  const json = typeof order === 'string' ? order : orderJson(order);
  return encodeFormBody({ order: json, signature: signOrder(json, key), ...extra });
}
