import type { GatewayTransaction } from '../altapay/api-response';
import type { PaymentWork, TransactionState } from '../payments/payment';
import { statusOf } from '../payments/payment';
import { holdsMoney } from '../payments/status-properties';
import { aggregateStatus, phaseRank, transactionPhase } from '../payments/transaction-phase';
import { updatePayment } from '../payments/update-payment';
import { readPayment, recordGatewayState, withCurrency } from './gateway-state';
import type { WorkRecord } from './work-record';
import type { WorkerDeps } from './worker-deps';

/** Step 1: what the gateway says about each changed transaction, recorded on the payment. */
export async function confirm(
  deps: WorkerDeps,
  work: PaymentWork,
  now: string,
): Promise<NonNullable<WorkRecord['confirmation']>> {
  const before = await readPayment(deps, work.shopOrderId);
  if (work.transactionIds.length === 0) {
    const confirmed = !holdsMoney(work.status);
    return { checkedAt: now, confirmed, detail: 'an order-level result without a transaction to confirm' };
  }
  const answers = await Promise.all(work.transactionIds.map((id) => deps.gateway.transactions(id)));
  const known = answers
    .flat()
    .filter((t) => t.shopOrderId === work.shopOrderId)
    .map(withCurrency);
  if (known.length > 0) await recordGatewayState(deps, work, known, now);

  const problems: string[] = [];
  for (const id of work.transactionIds) {
    const claimed = before.transactions[id];
    const gateway = known.find((t) => t.transactionId === id);
    if (gateway === undefined) problems.push(`transaction ${id} is unknown to the gateway`);
    else if (claimed && holdsMoney(claimed.phase) && !backs(gateway, claimed)) {
      problems.push(
        `transaction ${id}: the callback said ${claimed.gatewayStatus}, the gateway says ${gateway.transactionStatus}`,
      );
    }
  }
  if (problems.length > 0) {
    const unknown = work.transactionIds.filter((id) => !known.some((t) => t.transactionId === id));
    await markUnconfirmed(deps, work.shopOrderId, unknown, now);
    deps.metrics?.unconfirmed();
    deps.log.error('callback not confirmed by the gateway; not handed on', { workId: work.workId, problems });
    return { checkedAt: now, confirmed: false, detail: problems.join('; ') };
  }
  return {
    checkedAt: now,
    confirmed: true,
    detail: `the gateway confirms ${work.transactionIds.join(', ')}`,
  };
}

/** True when the gateway holds the transaction at least as far along as the callback claimed. */
function backs(gateway: GatewayTransaction, claimed: TransactionState): boolean {
  return phaseRank[transactionPhase(gateway, { callbackType: 'notification' })] >= phaseRank[claimed.phase];
}

/**
 * Flags the payment, and marks the transactions the gateway does not know as unconfirmed so they no
 * longer count towards its status (optimistic update). No work: the flag is for people.
 */
async function markUnconfirmed(
  deps: WorkerDeps,
  shopOrderId: string,
  unknownIds: readonly string[],
  now: string,
): Promise<void> {
  await updatePayment(deps.store, shopOrderId, (payment) => {
    if (payment === undefined) throw new Error(`Payment ${shopOrderId} does not exist.`);
    const transactions = { ...payment.transactions };
    for (const id of unknownIds) {
      const t = transactions[id];
      if (t && t.flag !== 'unconfirmed') transactions[id] = { ...t, flag: 'unconfirmed' };
    }
    const flagged = payment.flags.includes('unconfirmed');
    const marked = unknownIds.every((id) => transactions[id] === payment.transactions[id]);
    if (flagged && marked) return { write: false, result: undefined };
    const next = {
      ...payment,
      transactions,
      status: statusOf(transactions, payment.orderPhase, aggregateStatus),
      flags: flagged ? payment.flags : [...payment.flags, 'unconfirmed' as const],
      version: payment.version + 1,
      updatedAt: now,
    };
    return { write: true, next, result: undefined };
  });
}
