import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
} from '@aws-sdk/client-eventbridge';
import { DependencyError } from '../../shared/errors';
import type { MerchantEvent, MerchantNotifier } from '../../shared/ports';

/** Where our events come from on the bus: what a merchant's EventBridge rule matches on. */
export const eventSource = 'altapay.payments';

/**
 * MerchantNotifier over an EventBridge bus, for a merchant who routes events with rules rather than
 * receiving a webhook: `source` altapay.payments, `detail-type` the event type (payment.reserved, ...),
 * `detail` the event body the webhook would carry. EventBridge delivers at least once, like the
 * webhook: rules' targets deduplicate on `detail.id`.
 */
export class MerchantEventBus implements MerchantNotifier {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  /** Resolves 202 once the bus holds the event; throws a DependencyError (retried later) otherwise. */
  async deliver(event: MerchantEvent): Promise<number> {
    let answer: PutEventsCommandOutput;
    try {
      answer = await this.client.send(
        new PutEventsCommand({
          Entries: [
            { EventBusName: this.busName, Source: eventSource, DetailType: event.type, Detail: event.body },
          ],
        }),
      );
    } catch (error) {
      throw new DependencyError('event-bus', `EventBridge did not take ${event.type}: ${reason(error)}`, {
        cause: error,
      });
    }
    // PutEvents answers 200 even when it refused the entry: the refusal is in the entry.
    const refused = answer.Entries?.find((entry) => entry.ErrorCode !== undefined);
    if ((answer.FailedEntryCount ?? 0) > 0 || refused) {
      throw new DependencyError(
        'event-bus',
        `EventBridge refused ${event.type}: ${refused?.ErrorCode ?? 'failed'}${refused?.ErrorMessage ? ` (${refused.ErrorMessage})` : ''}`,
      );
    }
    return 202;
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
