import type { GatewayTransaction } from '../altapay/api-response';
import { findCurrency } from '../altapay/currency';
import { type Decision, gatewayAnswer } from '../payments/apply-callback';
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

/**
 * Records the gateway's answer, asked at `askedAt`: the truth, which confirms or refutes pending
 * claims and corrects a state either way. `chain`: a change it makes is news of its own (a capture),
 * queued as more work; confirming a claim is not, the work that asked announces it.
 */
export async function recordGatewayState(
  deps: WorkerDeps,
  work: PaymentWork,
  transactions: readonly GatewayTransaction[],
  askedAt: string,
  now: string,
  options: { readonly chain: boolean },
): Promise<Decision> {
  const payment = await readPayment(deps, work.shopOrderId);
  const facts = gatewayAnswer({
    shopOrderId: work.shopOrderId,
    currency: payment.currency ?? '',
    transactions,
    askedAt,
  });
  const { decision, work: chained } = await saveDecision(deps, facts, now, undefined, {
    createsWork: options.chain,
  });
  if (chained) await queueWork(deps, chained);
  return decision;
}

/** The transaction with its ISO 4217 alpha code, which the gateway's answers give only as a number. */
export function withCurrency(t: GatewayTransaction): GatewayTransaction {
  return { ...t, currencyAlpha: t.currencyAlpha ?? findCurrency(t.currencyNumeric)?.alpha };
}
