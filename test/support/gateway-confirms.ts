import { parseApiResponse } from '../../shared/altapay/api-response';
import { gatewayAnswer } from '../../shared/payments/apply-callback';
import { saveDecision } from '../../shared/payments/save-decision';
import type { PaymentStore } from '../../shared/ports';
import { withCurrency } from '../../shared/worker/gateway-state';

/**
 * The worker's confirmation of a callback without running the worker: the gateway's answer, here the
 * same transactions the callback's `xml` describes, recorded as the worker records it (no new work).
 * For tests about what happens once a payment is confirmed.
 */
export async function gatewayConfirms(store: PaymentStore, xml: string, now: string): Promise<void> {
  const transactions = parseApiResponse(xml).transactions.map(withCurrency);
  const [first] = transactions;
  if (first === undefined) return;
  const facts = gatewayAnswer({
    shopOrderId: first.shopOrderId,
    currency: first.currencyAlpha ?? '',
    transactions,
    askedAt: now,
  });
  await saveDecision({ store }, facts, now, undefined, { createsWork: false });
}
