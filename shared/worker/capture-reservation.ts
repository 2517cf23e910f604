import { isPositiveAmount } from '../payments/money';
import type { PaymentStatus, PaymentWork } from '../payments/payment';
import { readPayment, recordGatewayState, withCurrency } from './gateway-state';
import type { WorkRecord } from './work-record';
import type { WorkerDeps } from './worker-deps';

/** Authorisations that are agreements, not charges: never captured. */
const agreements = new Set(['subscription', 'subscriptionAndReserve', 'subscriptionAndCharge', 'verifyCard']);

/** Step 2: captures the changed reservation when it is due. */
export async function captureIfDue(
  deps: WorkerDeps,
  work: PaymentWork,
  now: () => string,
  confirmedStatus: PaymentStatus | undefined,
): Promise<WorkRecord['capture']> {
  if (confirmedStatus !== 'reserved') return undefined;
  const payment = await readPayment(deps, work.shopOrderId);
  const due = work.transactionIds
    .map((id) => payment.transactions[id])
    .find(
      (t) =>
        t !== undefined &&
        t.phase === 'reserved' &&
        // Only what the gateway confirmed; a newer claim that arrived meanwhile waits for its own work.
        t.claim === undefined &&
        // Flagged: a second payment (to be refunded or released) or an amount other than the
        // shop's (for a person to look at), never captured.
        t.flag === undefined &&
        !agreements.has(t.authType ?? '') &&
        !isPositiveAmount(t.capturedAmount),
    );
  if (due === undefined) return undefined;
  const base = { at: now(), transactionId: due.transactionId, amount: due.reservedAmount };
  // A fresh look: if an earlier run's capture went through but its answer was lost, do not capture again.
  const askedAt = now();
  const [current] = await deps.gateway.transactions(due.transactionId);
  if (current && isPositiveAmount(current.capturedAmount)) {
    await recordGatewayState(deps, work, [withCurrency(current)], askedAt, now(), { chain: true });
    return { ...base, outcome: 'already-captured' };
  }
  const capturedAt = now();
  const result = await deps.gateway.captureReservation(due.transactionId, due.reservedAmount);
  if (result.result !== 'Success') {
    const detail = result.merchantErrorMessage ?? `Result ${result.result || 'missing'}`;
    deps.log.error('capture refused by the gateway', { workId: work.workId, detail });
    return { ...base, outcome: 'refused', detail };
  }
  await recordGatewayState(deps, work, result.transactions.map(withCurrency), capturedAt, now(), {
    chain: true,
  });
  return { ...base, outcome: 'captured' };
}
