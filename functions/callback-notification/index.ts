import { callbackHandler } from '../runtime/callback-handler';

/** POST /callbacks/notification: AltaPay's callback_notification (see functions/routes.ts). */
export const handler = callbackHandler('notification');
