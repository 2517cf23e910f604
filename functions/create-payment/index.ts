import {
  jsonResponse,
  mediaType,
  publicBaseUrl,
  readBody,
  redirectResponse,
} from '../../adapters/api-gateway';
import { createPayment } from '../../shared/checkout/create-payment';
import { parseOrder } from '../../shared/checkout/order';
import { UnsupportedMediaTypeError } from '../../shared/errors';
import { callbackUrls } from '../routes';
import { clock, log, paymentGateway, paymentStore, settings } from '../runtime/dependencies';
import { httpHandler } from '../runtime/http';

// Fail at start-up, naming the setting, rather than on the first customer's checkout.
if (settings.terminal === undefined) throw new Error('Invalid settings: ALTAPAY_TERMINAL is required');
const deps = {
  store: paymentStore(),
  gateway: paymentGateway(),
  clock,
  log,
  paymentType: settings.paymentType,
  requestExpiryMinutes: settings.requestExpiryMinutes,
};

/** An order with customer data and 100 order lines is about 30 KB. */
const orderBodyLimitBytes = 64 * 1024;

const isBrowserForm = (type: string) => type === 'application/x-www-form-urlencoded';

/**
 * POST /payments: the shop's checkout starts a payment. A browser form post is answered 303 to the
 * gateway's payment page; a JSON client gets 201 `{ shopOrderId, paymentRequestId, url }` (200 when
 * the order's live request is returned again).
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
    const order = parseOrder(readBody(event, orderBodyLimitBytes), isBrowserForm(type) ? 'form' : 'json');
    const created = await createPayment(
      deps,
      order,
      callbackUrls(settings.publicBaseUrl ?? publicBaseUrl(event)),
    );
    if (isBrowserForm(type)) return redirectResponse(created.url);
    const { shopOrderId, paymentRequestId, url } = created;
    return jsonResponse(created.outcome === 'created' ? 201 : 200, { shopOrderId, paymentRequestId, url });
  },
  (event) => (isBrowserForm(mediaType(event)) ? 'html' : 'json'),
);
