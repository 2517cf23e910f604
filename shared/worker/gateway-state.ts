import type { GatewayTransaction } from '../altapay/api-response';
import { findCurrency } from '../altapay/currency';
import type { Payment, PaymentWork } from '../payments/payment';
import { queueWork, saveDecision } from '../payments/save-decision';
import type { WorkerDeps } from './worker-deps';

/** The payment the work is about; work is only created with its payment. */
export async function readPayment(deps: Pick<WorkerDeps, 'store'>, shopOrderId: string): Promise<Payment> {
  const payment = await deps.store.getPayment(shopOrderId);
  // A missing one means the table was restored or edited.
  if (payment === undefined) throw new Error(`Payment ${shopOrderId} does not exist.`);
  return payment;
}

/** The gateway's answer goes through the same forward-only rules as a callback; news causes more work. */
export async function recordGatewayState(
  deps: WorkerDeps,
  work: PaymentWork,
  transactions: readonly GatewayTransaction[],
  now: string,
): Promise<void> {
  const payment = await readPayment(deps, work.shopOrderId);
  const facts = {
    callbackType: 'notification' as const,
    shopOrderId: work.shopOrderId,
    currency: payment.currency ?? '',
    transactions,
    // The live answer is the truth: it may correct what a (possibly forged) callback claimed.
    source: 'gateway' as const,
  };
  const { work: chained } = await saveDecision(deps, facts, now);
  if (chained) await queueWork(deps, chained);
}

/** The transaction with its ISO 4217 alpha code, which the gateway's answers give only as a number. */
export function withCurrency(t: GatewayTransaction): GatewayTransaction {
  return { ...t, currencyAlpha: t.currencyAlpha ?? findCurrency(t.currencyNumeric)?.alpha };
}
