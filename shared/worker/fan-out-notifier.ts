import type { MerchantEvent, MerchantNotifier } from '../ports';

/**
 * Hands each event to every configured destination in turn (the EventBridge bus, then the webhook) and
 * answers with the last one's status. A failure anywhere fails the delivery, so the worker tries them
 * all again later: a destination may see an event twice, never miss one, and deduplicates on its id.
 */
export function fanOut(notifiers: readonly MerchantNotifier[]): MerchantNotifier | undefined {
  if (notifiers.length <= 1) return notifiers[0];
  return {
    async deliver(event: MerchantEvent): Promise<number> {
      let status = 0;
      for (const notifier of notifiers) {
        status = await notifier.deliver(event);
        // The webhook answering 500 is no delivery: the later ones wait for the retry too.
        if (status < 200 || status >= 300) return status;
      }
      return status;
    },
  };
}
