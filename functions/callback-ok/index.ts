import { callbackHandler } from '../runtime/callback-handler';

/** POST /callbacks/ok: AltaPay's callback_ok (see functions/routes.ts). */
export const handler = callbackHandler('ok');
