/**
 * The payments API as the CLI calls it: through the merchant's own client (client/), so signing and the
 * API's calls have one definition. Open on the local stack; on a deployed one SigV4-signed with the
 * operator's credentials, from the same chain and region as every other command.
 */
import { PaymentsClient } from '../../client/payments-client';
import type { Target } from './target';

/** The client for the target's API. */
export async function paymentsClientFor(target: Target): Promise<PaymentsClient> {
  return new PaymentsClient({
    apiUrl: await target.apiUrl(),
    signing: target.local
      ? false
      : { region: () => target.dynamodb.config.region(), credentials: target.dynamodb.config.credentials },
  });
}
