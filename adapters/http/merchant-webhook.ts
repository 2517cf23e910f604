import { WebhookDeliveryError } from '../../shared/errors';
import type { MerchantEvent, MerchantNotifier } from '../../shared/ports';
import { signWebhook } from '../../shared/webhooks/signature';
import { describeNetworkFailure } from './network-failure';

export interface MerchantWebhookConfig {
  readonly url: URL;
  /** The Standard Webhooks key (`whsec_…`) the merchant verifies with (shared/webhooks/signature.ts). */
  readonly signingKey: string;
  /** Per attempt; a merchant that takes longer is retried later rather than holding the worker. */
  readonly timeoutMs: number;
}

/** MerchantNotifier over HTTPS: the event's exact bytes, signed with a fresh timestamp per attempt. */
export class MerchantWebhook implements MerchantNotifier {
  /** `config` may be a function, read on every delivery, so a rotated signing key applies at once. */
  constructor(
    private readonly configOrProvider: MerchantWebhookConfig | (() => MerchantWebhookConfig),
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async deliver(event: MerchantEvent): Promise<number> {
    const config =
      typeof this.configOrProvider === 'function' ? this.configOrProvider() : this.configOrProvider;
    const timestamp = Math.floor(Date.now() / 1000);
    let response: Response;
    try {
      response = await this.fetchImpl(config.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...signWebhook({ id: event.eventId, body: event.body, timestamp, key: config.signingKey }),
          'user-agent': 'altapay-serverless-webhooks/1',
        },
        body: event.body,
        // A redirect could send the signed event somewhere the merchant did not configure.
        redirect: 'manual',
        signal: AbortSignal.timeout(config.timeoutMs),
      });
    } catch (error) {
      throw new WebhookDeliveryError(describeNetworkFailure(error, config.timeoutMs), { cause: error });
    }
    // The body is not needed, but reading it lets the connection be reused.
    await response.arrayBuffer().catch(() => undefined);
    return response.status;
  }
}
