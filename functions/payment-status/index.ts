import { jsonResponse } from '../../adapters/api-gateway';
import { shopOrderIdSchema } from '../../shared/altapay/callback-form';
import { MalformedRequestError } from '../../shared/errors';
import { getPaymentView } from '../../shared/payments/payment-view';
import { describeIssue } from '../../shared/validation';
import { paymentStore } from '../runtime/dependencies';
import { httpHandler } from '../runtime/http';

const store = paymentStore();

/** GET /payments/{shopOrderId}: the stored payment, its transactions and its callback log. */
export const handler = httpHandler(async (event) => {
  const parsed = shopOrderIdSchema.safeParse(event.pathParameters?.shopOrderId, { reportInput: true });
  if (!parsed.success)
    throw new MalformedRequestError(
      ...describeIssue(parsed.error, shopOrderIdSchema, {
        field: 'Path parameter',
        whole: 'Path parameter shopOrderId',
      }),
    );
  return jsonResponse(200, await getPaymentView(store, parsed.data));
});
