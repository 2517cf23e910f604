import { operationHandler } from '../runtime/operation-handler';

/** POST /payments/{shopOrderId}/captures: captures all that is left of the reservation, or `amount`. */
export const handler = operationHandler('capture');
