import { createHash } from 'node:crypto';
import { operationEventTypes } from '../operations/operation-events';
import { confirmedPhaseOf, type Payment, type PaymentStatus, type PaymentWork } from '../payments/payment';
import type { MerchantEvent } from '../ports';

/** The event each status change hands to the merchant; `created` is not news. */
const eventTypes: Partial<Record<PaymentStatus, string>> = {
  open: 'payment.pending',
  reserved: 'payment.reserved',
  captured: 'payment.captured',
  failed: 'payment.failed',
  cancelled: 'payment.cancelled',
  released: 'payment.released',
  refunded: 'payment.refunded',
  chargeback: 'payment.chargeback',
};

/**
 * The merchant event for one piece of work, or undefined when there is nothing to tell. It is built
 * from what the gateway confirmed (`status`: the payment's confirmed status after the work's
 * confirmation), never from what the callback claimed: a replayed or forged claim the gateway does
 * not back changes no confirmed status, so it tells the merchant nothing. Its id is derived from the
 * work, so however often the work runs, the merchant sees one event id to deduplicate on. Amounts are
 * exact decimal strings; no card data.
 */
export function buildMerchantEvent(
  work: PaymentWork,
  payment: Payment,
  status: PaymentStatus,
): MerchantEvent | undefined {
  const changed = work.transactionIds
    .map((id) => payment.transactions[id])
    .filter((t) => t !== undefined)
    .filter((t) => t.claim === undefined);
  // The merchant's own operation is news of that operation, even when the status stays (a second
  // partial capture). A second payment for a paid order is its own event: the merchant must refund or
  // release it. So is a payment for another amount than the shop asked: never announced as paid.
  const type = work.operation
    ? operationEventTypes[work.operation.kind]
    : changed.some((t) => t.flag === 'second-successful-payment')
      ? 'payment.second_payment'
      : changed.some((t) => t.flag === 'amount-mismatch')
        ? 'payment.amount_mismatch'
        : status === work.previousStatus
          ? undefined
          : eventTypes[status];
  if (type === undefined) return undefined;
  const eventId = `evt_${createHash('sha256').update(`${work.workId}|${type}`).digest('hex').slice(0, 32)}`;
  const { request } = payment;
  const body = JSON.stringify({
    id: eventId,
    type,
    created: work.createdAt,
    data: {
      shopOrderId: work.shopOrderId,
      status,
      ...(work.previousStatus === undefined ? {} : { previousStatus: work.previousStatus }),
      // Events may arrive out of order; the version orders them.
      version: work.version,
      currency: payment.currency,
      // What the shop asked for, to compare with what each transaction holds.
      ...(request === undefined ? {} : { expected: { amount: request.amount, currency: request.currency } }),
      changedTransactionIds: work.transactionIds,
      // As the gateway confirmed them; a transaction it never confirmed is not listed.
      transactions: Object.values(payment.transactions).flatMap((t) => {
        const phase = confirmedPhaseOf(t);
        if (phase === undefined) return [];
        return [
          {
            transactionId: t.transactionId,
            ...(t.paymentId === undefined ? {} : { paymentId: t.paymentId }),
            // The merchant's words: `paymentStatus` is the gateway's TransactionStatus (gatewayStatus) and
            // `status` our reading of it (phase), in the same terms as the payment's `data.status`.
            paymentStatus: t.gatewayStatus,
            status: phase,
            currency: t.currency,
            reservedAmount: t.reservedAmount,
            capturedAmount: t.capturedAmount,
            refundedAmount: t.refundedAmount,
            ...(t.flag === undefined ? {} : { flag: t.flag }),
          },
        ];
      }),
      flags: payment.flags,
      ...(work.operation === undefined ? {} : { operation: work.operation }),
    },
  });
  return { eventId, type, body };
}
