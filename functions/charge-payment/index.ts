import { operationHandler } from '../runtime/operation-handler';

/** POST /payments/{shopOrderId}/charges: charges (or reserves) `amount` on the subscription agreement. */
export const handler = operationHandler('charge');
