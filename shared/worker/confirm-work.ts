import { compareAmounts } from '../payments/money';
import type { Payment, PaymentWork, TransactionState } from '../payments/payment';
import { statusOf } from '../payments/payment';
import { holdsMoney } from '../payments/status-properties';
import { isOneOffPayment } from '../payments/transaction-phase';
import { updatePayment } from '../payments/update-payment';
import { readPayment, recordGatewayState, withCurrency } from './gateway-state';
import type { WorkRecord } from './work-record';
import type { WorkerDeps } from './worker-deps';

/**
 * Step 1: asks the gateway about every transaction the work's callback claimed something of, up or
 * down, and records its answers: they confirm or refute the claims and are what counts from now on.
 * The confirmation holds the payment's confirmed status afterwards, which the event is built from.
 */
export async function confirm(
  deps: WorkerDeps,
  work: PaymentWork,
  now: string,
): Promise<NonNullable<WorkRecord['confirmation']>> {
  const before = await readPayment(deps, work.shopOrderId);
  if (work.transactionIds.length === 0) {
    // Order-level outcomes never hold money and count as they arrive: there is nothing to ask about.
    return {
      checkedAt: now,
      confirmed: true,
      detail: 'an order-level result without a transaction to confirm',
      status: before.status,
    };
  }
  const answers = await Promise.all(work.transactionIds.map((id) => deps.gateway.transactions(id)));
  const known = answers
    .flat()
    .filter((t) => t.shopOrderId === work.shopOrderId)
    .map(withCurrency);
  const refuted =
    known.length > 0
      ? (await recordGatewayState(deps, work, known, now, now, { chain: false })).refutedTransactions
      : [];

  const problems: string[] = [];
  const unknown = work.transactionIds.filter((id) => !known.some((t) => t.transactionId === id));
  for (const id of unknown) problems.push(`transaction ${id} is unknown to the gateway`);
  for (const id of refuted) {
    const claimed = before.transactions[id]?.gatewayStatus ?? 'another state';
    const gateway = known.find((t) => t.transactionId === id)?.transactionStatus;
    problems.push(`transaction ${id}: the callback said ${claimed}, the gateway says ${gateway}`);
  }
  const after = await flagForPeople(deps, work, unknown, now);
  if (after.mismatched.length > 0) {
    deps.metrics?.amountMismatch();
    deps.log.error(
      'the gateway confirms another amount than the shop requested; not captured, not announced as paid',
      {
        workId: work.workId,
        transactionIds: after.mismatched,
        expected:
          after.payment.request && `${after.payment.request.amount} ${after.payment.request.currency}`,
      },
    );
  }
  const status = after.payment.status;
  if (problems.length > 0) {
    deps.metrics?.unconfirmed();
    deps.log.error('callback not confirmed by the gateway; not handed on', { workId: work.workId, problems });
    return { checkedAt: now, confirmed: false, detail: problems.join('; '), status };
  }
  return {
    checkedAt: now,
    confirmed: true,
    detail: `the gateway confirms ${work.transactionIds.join(', ')}`,
    status,
  };
}

/**
 * The flags a person acts on, in one optimistic update: the payment is flagged `unconfirmed`, and the
 * transactions the gateway does not know are marked so and no longer count; a confirmed one-off payment
 * for another amount or currency than the shop's request is marked `amount-mismatch`. No work: the
 * flags are for people.
 */
async function flagForPeople(
  deps: WorkerDeps,
  work: PaymentWork,
  unknownIds: readonly string[],
  now: string,
): Promise<{ payment: Payment; mismatched: readonly string[] }> {
  return updatePayment(deps.store, work.shopOrderId, (payment) => {
    if (payment === undefined) throw new Error(`Payment ${work.shopOrderId} does not exist.`);
    const transactions = { ...payment.transactions };
    const flags = new Set(payment.flags);
    for (const id of unknownIds) {
      const t = transactions[id];
      if (t === undefined || (t.flag === 'unconfirmed' && t.claim === undefined)) continue;
      // Disowned: neither confirmed nor pending any more.
      const { claim: _, ...disowned } = t;
      transactions[id] = { ...disowned, flag: 'unconfirmed' };
    }
    if (unknownIds.length > 0) flags.add('unconfirmed');
    const mismatched = work.transactionIds.filter((id) => {
      const t = transactions[id];
      return t !== undefined && t.flag === undefined && paysAnotherAmount(t, payment);
    });
    for (const id of mismatched) {
      const t = transactions[id];
      if (t) transactions[id] = { ...t, flag: 'amount-mismatch' };
      flags.add('amount-mismatch');
    }
    const unchanged =
      flags.size === payment.flags.length &&
      Object.keys(transactions).every((id) => transactions[id] === payment.transactions[id]);
    if (unchanged) return { write: false, result: { payment, mismatched } };
    const next: Payment = {
      ...payment,
      transactions,
      status: statusOf(transactions, payment.orderPhase),
      flags: [...flags],
      version: payment.version + 1,
      updatedAt: now,
    };
    return { write: true, next, result: { payment: next, mismatched } };
  });
}

/**
 * True when the gateway confirmed money held by a one-off payment in another amount or currency than
 * the shop requested (exactly). Agreements and their charges are for other amounts by design.
 */
function paysAnotherAmount(t: TransactionState, payment: Payment): boolean {
  const { request } = payment;
  if (request === undefined || t.claim !== undefined || !holdsMoney(t.phase) || !isOneOffPayment(t)) {
    return false;
  }
  return t.currency !== request.currency || compareAmounts(t.reservedAmount, request.amount) !== 0;
}
