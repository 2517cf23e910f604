import { readBody, requireFormContentType, textResponse } from '../../adapters/api-gateway';
import { callbackBodyLimitBytes } from '../../shared/altapay/callback-form';
import { verifyOrder } from '../../shared/checkout/verify-order';
import { log, paymentStore, settings } from '../runtime/dependencies';
import { httpHandler } from '../runtime/http';
import { publishCallbackRejection } from '../runtime/metrics';

const deps = {
  store: paymentStore(),
  log,
  // A getter: the secrets may be re-read by refreshSettings while the function stays warm.
  get callbackSecrets() {
    return settings.callbackSecrets;
  },
  get pageTexts() {
    return settings.pageTexts;
  },
};

/** POST /callbacks/verify-order: AltaPay's callback_verify_order, answered `OKAY` or a customer-safe reason. */
export const handler = httpHandler(async (event) => {
  try {
    requireFormContentType(event);
    return textResponse(200, await verifyOrder(deps, readBody(event, callbackBodyLimitBytes)));
  } catch (error) {
    // A wrong shared secret refuses every verify-order too: counted like the other callbacks' refusals.
    publishCallbackRejection('verify-order', error);
    throw error;
  }
});
