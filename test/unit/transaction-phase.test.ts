import { describe, expect, it } from 'vitest';
import type { GatewayTransaction } from '../../shared/altapay/api-response';
import type { PaymentStatus } from '../../shared/payments/payment';
import { aggregateStatus, orderPhase, transactionPhase } from '../../shared/payments/transaction-phase';

function transaction(
  status: string,
  amounts: Partial<Record<'reserved' | 'captured' | 'refunded', string>> = {},
) {
  return {
    transactionId: '1',
    transactionStatus: status,
    shopOrderId: 'o',
    currencyNumeric: '208',
    reservedAmount: amounts.reserved ?? '0.00',
    capturedAmount: amounts.captured ?? '0.00',
    refundedAmount: amounts.refunded ?? '0.00',
    updatedDate: '2026-01-01 00:00:00',
    chargebacks: [],
  } as unknown as GatewayTransaction;
}

const ok = { callbackType: 'ok' } as const;
const fail = { callbackType: 'fail' } as const;

describe('what a gateway transaction means', () => {
  it.each<[string, Parameters<typeof transaction>[1], PaymentStatus]>([
    ['preauth', { reserved: '13.29' }, 'reserved'],
    ['preauth', {}, 'reserved'], // card verification: a zero-amount success
    ['recurring_confirmed', {}, 'reserved'],
    ['captured', { reserved: '1.00', captured: '1.00' }, 'captured'],
    ['bank_payment_finalized', {}, 'captured'],
    ['refunded', { reserved: '1.00', captured: '1.00', refunded: '1.00' }, 'refunded'],
    ['refunded', { reserved: '1.00', captured: '1.00', refunded: '0.40' }, 'captured'], // partial refund
    ['released', { reserved: '13.69' }, 'released'],
    ['epayment_cancelled', {}, 'cancelled'],
    ['3dsecure_failed', {}, 'failed'],
    ['preauth_error', {}, 'failed'],
    ['epayment_declined', {}, 'failed'],
    ['recurring_failed', {}, 'failed'],
    ['captured_failed', {}, 'failed'],
  ])('%s with %o is %s', (status, amounts, phase) => {
    expect(transactionPhase(transaction(status, amounts), ok)).toBe(phase);
  });

  it('counts money still reserved even when the status says failed (docs/altapay-protocol.md §9.3)', () => {
    expect(transactionPhase(transaction('captured_failed', { reserved: '13.69' }), ok)).toBe('reserved');
    expect(transactionPhase(transaction('error', { reserved: '5.00' }), fail)).toBe('reserved');
  });

  it('does not count Result=Success with a created, zero-amount transaction as paid', () => {
    expect(transactionPhase(transaction('created'), { callbackType: 'ok', result: 'Success' })).toBe(
      'created',
    );
    expect(transactionPhase(transaction('created'), fail)).toBe('failed');
  });

  it('never counts a callback_open as paid, whatever its amounts', () => {
    expect(transactionPhase(transaction('preauth', { reserved: '10.00' }), { callbackType: 'open' })).toBe(
      'open',
    );
    expect(
      transactionPhase(transaction('invoice_initialized', { reserved: '20' }), { callbackType: 'open' }),
    ).toBe('open');
  });

  it('treats an unknown status as not final, and as failed in a fail callback', () => {
    expect(transactionPhase(transaction('something_new'), ok)).toBe('open');
    expect(transactionPhase(transaction('something_new'), fail)).toBe('failed');
  });

  it('marks a chargeback from the callback result or the transaction events', () => {
    expect(
      transactionPhase(transaction('captured', { captured: '1.00' }), {
        callbackType: 'notification',
        result: 'ChargebackEvent',
      }),
    ).toBe('chargeback');
  });

  it('reads a callback without transactions from its type and result', () => {
    expect(orderPhase({ callbackType: 'fail', result: 'Error' })).toBe('failed');
    expect(orderPhase({ callbackType: 'fail', result: 'Cancelled' })).toBe('cancelled');
    expect(orderPhase({ callbackType: 'ok', result: 'Success' })).toBe('open');
    expect(orderPhase({ callbackType: 'notification', result: 'Error' })).toBe('failed');
  });

  it('shows money held before money returned before no money', () => {
    expect(aggregateStatus(['refunded', 'captured'])).toBe('captured');
    expect(aggregateStatus(['failed', 'reserved'])).toBe('reserved');
    expect(aggregateStatus(['released', 'failed'])).toBe('released');
    expect(aggregateStatus(['failed', 'open'])).toBe('open');
    expect(aggregateStatus([])).toBe('created');
  });
});
