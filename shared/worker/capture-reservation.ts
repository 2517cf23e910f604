import { isPositiveAmount } from '../payments/money';
import type { PaymentWork } from '../payments/payment';
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
): Promise<WorkRecord['capture']> {
  if (work.status !== 'reserved') return undefined;
  const payment = await readPayment(deps, work.shopOrderId);
  const due = work.transactionIds
    .map((id) => payment.transactions[id])
    .find(
      (t) =>
        t !== undefined &&
        t.phase === 'reserved' &&
        // A second payment for a paid order is to be refunded or released, never captured.
        t.flag === undefined &&
        !agreements.has(t.authType ?? '') &&
        !isPositiveAmount(t.capturedAmount),
    );
  if (due === undefined) return undefined;
  const base = { at: now(), transactionId: due.transactionId, amount: due.reservedAmount };
  // A fresh look: if an earlier run's capture went through but its answer was lost, do not capture again.
  const [current] = await deps.gateway.transactions(due.transactionId);
  if (current && isPositiveAmount(current.capturedAmount)) {
    await recordGatewayState(deps, work, [withCurrency(current)], now());
    return { ...base, outcome: 'already-captured' };
  }
  const result = await deps.gateway.captureReservation(due.transactionId, due.reservedAmount);
  if (result.result !== 'Success') {
    const detail = result.merchantErrorMessage ?? `Result ${result.result || 'missing'}`;
    deps.log.error('capture refused by the gateway', { workId: work.workId, detail });
    return { ...base, outcome: 'refused', detail };
  }
  await recordGatewayState(deps, work, result.transactions.map(withCurrency), now());
  return { ...base, outcome: 'captured' };
}
