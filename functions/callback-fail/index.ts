import { callbackHandler } from '../runtime/callback-handler';

/** POST /callbacks/fail: AltaPay's callback_fail (see functions/routes.ts). */
export const handler = callbackHandler('fail');
