import {
  header,
  jsonResponse,
  mediaType,
  publicBaseUrl,
  readBody,
  redirectResponse,
} from '../../adapters/api-gateway';
import { createPayment } from '../../shared/checkout/create-payment';
import type { Order } from '../../shared/checkout/order';
import { orderSignatureHeader, shopKeyShape } from '../../shared/checkout/order-signature';
import { readSignedOrder } from '../../shared/checkout/signed-order';
import { UnsupportedMediaTypeError } from '../../shared/errors';
import { callbackUrls } from '../routes';
import { clock, log, paymentGateway, paymentStore, settings } from '../runtime/dependencies';
import { httpHandler } from '../runtime/http';

// Fail at start-up, naming the setting, rather than on the first customer's checkout.
if (settings.terminals.length === 0) {
  throw new Error(
    'Invalid settings: ALTAPAY_TERMINALS is required (or ALTAPAY_TERMINAL for one card terminal): the terminals payment requests are made on',
  );
}
if (settings.shopOrderKeys.length === 0) {
  throw new Error(
    `Invalid settings: SHOP_ORDER_KEY is required (on AWS: "key" in the shop/order secret): the key the shop signs orders with, ${shopKeyShape}`,
  );
}
const deps = {
  store: paymentStore(),
  gateway: paymentGateway(),
  clock,
  log,
  paymentType: settings.paymentType,
  requestExpiryMinutes: settings.requestExpiryMinutes,
  terminals: settings.terminals,
};

/** An order with customer data and 100 order lines is about 30 KB. */
const orderBodyLimitBytes = 64 * 1024;
/** The same order percent-encoded in a form field: every quote and brace becomes three bytes. */
const formBodyLimitBytes = 3 * orderBodyLimitBytes;

const isBrowserForm = (type: string) => type === 'application/x-www-form-urlencoded';

/**
 * POST /payments: the shop starts the payment of an order its back end signed. A browser form post
 * (hidden fields `order` and `signature`) is answered 303 to the gateway's payment page; the back end's
 * JSON call (`Order-Signature` header) gets 201 `{ shopOrderId, paymentRequestId, url }` (200 when the
 * order's live request is returned again). Unsigned: 401; tampered or expired: 403.
 */
export const handler = httpHandler(
  async (event) => {
    const type = mediaType(event);
    if (type !== 'application/json' && !isBrowserForm(type)) {
      throw new UnsupportedMediaTypeError(
        'application/json or application/x-www-form-urlencoded',
        type || undefined,
      );
    }
    const body = readBody(event, isBrowserForm(type) ? formBodyLimitBytes : orderBodyLimitBytes);
    const order = readSignedOrder(
      isBrowserForm(type)
        ? { format: 'form', body }
        : { format: 'json', body, signature: header(event, orderSignatureHeader) },
      // Read per request: a rotated key reaches a warm function once the settings are refreshed.
      settings.shopOrderKeys,
      clock.now(),
    );
    const created = await createPayment(
      deps,
      isBrowserForm(type) ? withBrowser(order, event) : order,
      callbackUrls(settings.publicBaseUrl ?? publicBaseUrl(event)),
    );
    if (isBrowserForm(type)) return redirectResponse(created.url);
    const { shopOrderId, paymentRequestId, url } = created;
    return jsonResponse(created.outcome === 'created' ? 201 : 200, { shopOrderId, paymentRequestId, url });
  },
  (event) => (isBrowserForm(mediaType(event)) ? 'html' : 'json'),
);

/** The longest User-Agent passed on; real ones are far shorter, and the order's limit is the same. */
const userAgentLimit = 500;

/**
 * A browser form post comes from the customer's own browser: its address and User-Agent are what
 * 3-D Secure 2 and fraud checks ask for, truer than anything the shop could sign in.
 */
function withBrowser(order: Order, event: Parameters<typeof handler>[0]): Order {
  const clientIp = event.requestContext?.identity?.sourceIp;
  const userAgent = header(event, 'user-agent')?.trim().slice(0, userAgentLimit);
  return {
    ...order,
    customer: {
      ...order.customer,
      ...(clientIp ? { clientIp } : {}),
      ...(userAgent ? { userAgent } : {}),
    },
  };
}
