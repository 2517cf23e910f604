import { operationHandler } from '../runtime/operation-handler';

/** POST /payments/{shopOrderId}/refunds: gives back all that is captured and not refunded, or `amount`. */
export const handler = operationHandler('refund');
