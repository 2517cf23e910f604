import { operationHandler } from '../runtime/operation-handler';

/** POST /payments/{shopOrderId}/releases: lets the whole reservation go, while nothing is captured. */
export const handler = operationHandler('release');
