import { describe, expect, it } from 'vitest';
import type { Payment, PaymentWork } from '../../shared/payments/payment';
import { buildMerchantEvent } from '../../shared/worker/merchant-event';

/** A DKK payment of 249.00, captured in full and refunded in part (a transaction as the gateway reports it). */
const payment: Payment = {
  shopOrderId: '1001',
  status: 'captured',
  currency: 'DKK',
  transactions: {
    '80000000': {
      transactionId: '80000000',
      gatewayStatus: 'refunded',
      phase: 'captured',
      currency: 'DKK',
      reservedAmount: '249.00',
      capturedAmount: '249.00',
      refundedAmount: '50.00',
      chargebacks: 0,
      gatewayUpdatedDate: '2026-12-01 10:05:00',
      updatedAt: '2026-12-01T10:05:01.000Z',
    },
  },
  flags: [],
  version: 5,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:05:01.000Z',
};

const work: PaymentWork = {
  workId: '1001#5',
  shopOrderId: '1001',
  version: 5,
  callbackType: 'notification',
  status: 'captured',
  previousStatus: 'captured',
  transactionIds: ['80000000'],
  createdAt: '2026-12-01T10:05:01.000Z',
};

const bodyOf = (w: PaymentWork) => JSON.parse(buildMerchantEvent(w, payment, payment.status)?.body ?? 'null');

describe('the merchant event of an operation', () => {
  it("is the operation's event with what it did, though the status stays captured", () => {
    const operation = { kind: 'refund' as const, amount: '50.00', partial: true, idempotencyKey: 'rf-1' };

    const event = bodyOf({ ...work, operation });

    expect(event).toMatchObject({
      type: 'payment.refunded',
      data: { status: 'captured', previousStatus: 'captured', operation },
    });
  });

  it('is told by the confirmed status alone for work no operation caused: a change is news, no change none', () => {
    const event = bodyOf({ ...work, previousStatus: 'reserved' });

    expect(event.type).toBe('payment.captured');
    expect(event.data).not.toHaveProperty('operation');
    expect(bodyOf(work)).toBeNull();
  });
});
