import { callbackHandler } from '../runtime/callback-handler';

/** POST /callbacks/open: AltaPay's callback_open (see functions/routes.ts). */
export const handler = callbackHandler('open');
