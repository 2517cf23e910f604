import { describe, expect, it } from 'vitest';
import type { GatewayTransaction } from '../../shared/altapay/api-response';
import { ItemTooLargeError } from '../../shared/errors';
import { applyCallback, type CallbackFacts } from '../../shared/payments/apply-callback';
import {
  type CallbackType,
  claimedStatusOf,
  type Payment,
  transactionLimit,
} from '../../shared/payments/payment';

const now = '2026-11-22T10:00:00.000Z';

function tx(
  id: string,
  status: string,
  options: {
    reserved?: string;
    captured?: string;
    refunded?: string;
    updated?: string;
    authType?: string;
  } = {},
): GatewayTransaction {
  return {
    transactionId: id,
    transactionStatus: status,
    authType: options.authType ?? 'payment',
    shopOrderId: 'order-1',
    currencyNumeric: '208',
    currencyAlpha: 'DKK',
    reservedAmount: options.reserved ?? '0.00',
    capturedAmount: options.captured ?? '0.00',
    refundedAmount: options.refunded ?? '0.00',
    updatedDate: options.updated ?? '2026-11-20 10:00:00',
    chargebacks: [],
  } as unknown as GatewayTransaction;
}

function facts(
  callbackType: CallbackType,
  transactions: GatewayTransaction[],
  result?: string,
): CallbackFacts {
  return {
    callbackType,
    shopOrderId: 'order-1',
    currency: 'DKK',
    transactions,
    ...(result ? { result } : {}),
  };
}

/** The gateway's live answer about the transactions, asked at `askedAt`. */
function fromGateway(transactions: GatewayTransaction[], askedAt = now): CallbackFacts {
  return { ...facts('notification', transactions), source: 'gateway', askedAt };
}

/** Applies callbacks in order, saving each change as the store would. */
function replay(callbacks: readonly CallbackFacts[]): Payment | undefined {
  let payment: Payment | undefined;
  for (const callback of callbacks) {
    const decision = applyCallback(payment, callback, now);
    if (decision.outcome === 'changed') payment = decision.payment;
  }
  return payment;
}

describe('applying a callback to a payment', () => {
  it('keeps what the gateway said about a transaction besides its state (scheme, 3-D Secure, fraud) with it', () => {
    const described = {
      ...tx('1', 'preauth', { reserved: '10.00' }),
      terminal: 'Shop Terminal',
      paymentSchemeName: 'Visa',
      threeDSecureResult: 'Successful',
      fraudRecommendation: 'Accept',
      fraudRiskScore: '12',
    } as GatewayTransaction;

    const { payment } = applyCallback(undefined, facts('ok', [described]), now);

    expect(payment.transactions['1']?.details).toEqual({
      terminal: 'Shop Terminal',
      paymentSchemeName: 'Visa',
      threeDSecureResult: 'Successful',
      fraudRecommendation: 'Accept',
      fraudRiskScore: '12',
    });
    // Nothing descriptive, nothing stored: no empty `details` on a transaction.
    expect(
      applyCallback(undefined, facts('ok', [tx('2', 'preauth')]), now).payment.transactions['2'],
    ).not.toHaveProperty('details');
  });

  it('creates the payment from its first callback and asks for the work to be done', () => {
    const decision = applyCallback(undefined, facts('ok', [tx('1', 'preauth', { reserved: '10.00' })]), now);

    expect(decision.outcome).toBe('changed');
    expect(decision.causesWork).toBe(true);
    // Reserved is what the callback claims; until the gateway confirms it, nothing is paid.
    expect(decision.payment).toMatchObject({ status: 'created', version: 1, currency: 'DKK' });
    expect(claimedStatusOf(decision.payment)).toBe('reserved');
  });

  it('recognises a duplicate and changes nothing', () => {
    const callback = facts('ok', [tx('1', 'preauth', { reserved: '10.00' })]);
    const first = applyCallback(undefined, callback, now).payment;

    const again = applyCallback(first, callback, '2026-11-22T11:00:00.000Z');

    expect(again.outcome).toBe('duplicate');
    expect(again.payment).toBe(first);
    expect(again.causesWork).toBe(false);
  });

  it('records a newer UpdatedDate on an unchanged state without asking for work', () => {
    const first = replay([facts('ok', [tx('1', 'preauth', { reserved: '10.00' })])]);

    const touched = applyCallback(
      first,
      facts('ok', [tx('1', 'preauth', { reserved: '10.00', updated: '2026-11-21 00:00:00' })]),
      now,
    );
    expect(touched.outcome).toBe('changed');
    expect(touched.causesWork).toBe(false);
    expect(touched.changedTransactions).toEqual([]);
    expect(touched.payment.transactions['1']?.gatewayUpdatedDate).toBe('2026-11-21 00:00:00');
  });

  it('never lets a late fail override a recorded success, even with a newer UpdatedDate', () => {
    const paid = replay([facts('ok', [tx('1', 'preauth', { reserved: '10.00' })])]);

    const late = applyCallback(
      paid,
      facts('fail', [tx('1', 'preauth_error', { updated: '2026-11-20 10:05:00' })], 'Failed'),
      now,
    );

    expect(late.outcome).toBe('stale');
    expect(claimedStatusOf(late.payment)).toBe('reserved');
  });

  it('never lets an older document overwrite a newer one of the same rank', () => {
    const released = replay([
      facts('notification', [tx('1', 'released', { reserved: '10.00', updated: '2026-11-20 12:00:00' })]),
    ]);

    const older = applyCallback(
      released,
      facts('notification', [
        tx('1', 'captured', { reserved: '10.00', captured: '10.00', updated: '2026-11-20 11:00:00' }),
      ]),
      now,
    );

    expect(older.outcome).toBe('stale');
    expect(claimedStatusOf(older.payment)).toBe('released');
  });

  it('moves forward: reserved, then captured, then refunded', () => {
    const payment = replay([
      facts('ok', [tx('1', 'preauth', { reserved: '10.00', updated: '2026-11-20 10:00:00' })]),
      facts('notification', [
        tx('1', 'captured', { reserved: '10.00', captured: '10.00', updated: '2026-11-20 11:00:00' }),
      ]),
      facts('notification', [
        tx('1', 'refunded', {
          reserved: '10.00',
          captured: '10.00',
          refunded: '10.00',
          updated: '2026-11-20 12:00:00',
        }),
      ]),
    ]);

    expect(payment).toMatchObject({ version: 3 });
    expect(payment && claimedStatusOf(payment)).toBe('refunded');
  });

  it('records a second successful one-off payment and flags it, never losing either', () => {
    const payment = replay([
      facts('ok', [tx('1', 'preauth', { reserved: '10.00' })]),
      facts('ok', [tx('2', 'preauth', { reserved: '10.00' })]),
    ]);

    expect(payment?.flags).toEqual(['second-successful-payment']);
    expect(payment?.transactions['1']?.flag).toBeUndefined();
    expect(payment?.transactions['2']?.flag).toBe('second-successful-payment');
  });

  it('does not flag a subscription agreement and its charge, which share an order by design', () => {
    const payment = replay([
      facts('ok', [
        tx('1', 'recurring_confirmed', { reserved: '13.29', authType: 'subscriptionAndReserve' }),
        tx('2', 'preauth', { reserved: '13.29', authType: 'subscription_payment' }),
      ]),
    ]);

    expect(payment?.flags).toEqual([]);
  });

  it('keeps an order-level failure below any transaction that was paid', () => {
    const payment = replay([
      facts('ok', [tx('1', 'preauth', { reserved: '10.00' })]),
      fromGateway([tx('1', 'preauth', { reserved: '10.00' })]),
      facts('fail', [], 'Error'),
    ]);

    expect(payment?.status).toBe('reserved');
  });
});

describe('what a callback claims and what the gateway confirms', () => {
  const reserved = tx('1', 'preauth', { reserved: '10.00' });
  const released = tx('1', 'released', { reserved: '10.00', updated: '2026-11-20 11:00:00' });
  const later = '2026-11-22T10:00:05.000Z';

  it('records a callback as a claim that changes no confirmed status', () => {
    const { payment } = applyCallback(undefined, facts('ok', [reserved]), now);

    expect(payment.status).toBe('created');
    expect(payment.transactions['1']).toMatchObject({
      phase: 'reserved',
      claim: { callbackType: 'ok', receivedAt: now },
    });
    expect(payment.transactions['1']?.claim).not.toHaveProperty('confirmedPhase');
  });

  it('counts the claim once the gateway confirms it, and the claim is gone', () => {
    const claimed = applyCallback(undefined, facts('ok', [reserved]), now).payment;

    const decision = applyCallback(claimed, fromGateway([reserved]), later);

    expect(decision.payment.status).toBe('reserved');
    expect(decision.payment.transactions['1']).not.toHaveProperty('claim');
    expect(decision.refutedTransactions).toEqual([]);
  });

  it('keeps the confirmed status under a replayed release until the gateway refutes it, then flags the payment', () => {
    const confirmed = replay([facts('ok', [reserved]), fromGateway([reserved])]);
    const replayed = applyCallback(confirmed, facts('notification', [released]), now).payment;
    expect(replayed.status).toBe('reserved');
    expect(replayed.transactions['1']?.claim).toMatchObject({
      callbackType: 'notification',
      confirmedPhase: 'reserved',
    });

    const decision = applyCallback(replayed, fromGateway([reserved]), later);

    expect(decision.refutedTransactions).toEqual(['1']);
    expect(decision.payment).toMatchObject({ status: 'reserved', flags: ['unconfirmed'] });
    expect(decision.payment.transactions['1']).toMatchObject({ gatewayStatus: 'preauth' });
    expect(decision.payment.transactions['1']).not.toHaveProperty('claim');
  });

  it('keeps a claim that arrived after the gateway was asked pending, measured against the answer', () => {
    const claimed = applyCallback(undefined, facts('ok', [reserved]), now).payment;
    const newer = applyCallback(claimed, facts('notification', [released]), later).payment;

    const decision = applyCallback(newer, fromGateway([reserved], now), later);

    expect(decision.payment.status).toBe('reserved');
    expect(decision.payment.transactions['1']).toMatchObject({
      gatewayStatus: 'released',
      claim: { receivedAt: later, confirmedPhase: 'reserved' },
    });
    expect(decision.refutedTransactions).toEqual([]);
  });
});

describe('the most transactions one order holds', () => {
  const full = () => {
    const many = Array.from({ length: transactionLimit }, (_, i) => tx(`t-${i}`, 'epayment_declined'));
    const payment = applyCallback(undefined, fromGateway(many), now).payment;
    expect(Object.keys(payment.transactions)).toHaveLength(transactionLimit);
    return payment;
  };

  it('refuses a callback that names one more, as an item too large (kept and parked, never retried)', () => {
    const payment = full();

    expect(() =>
      applyCallback(payment, facts('ok', [tx('t-new', 'preauth', { reserved: '10.00' })]), now),
    ).toThrow(ItemTooLargeError);
    expect(() =>
      applyCallback(payment, facts('ok', [tx('t-new', 'preauth', { reserved: '10.00' })]), now),
    ).toThrow(`the order already holds ${transactionLimit} transactions`);
  });

  it("still records callbacks about the transactions it holds, and the gateway's own answers", () => {
    const payment = full();

    const known = applyCallback(payment, facts('ok', [tx('t-0', 'preauth', { reserved: '10.00' })]), now);
    const gateway = applyCallback(payment, fromGateway([tx('t-new', 'preauth', { reserved: '10.00' })]), now);

    expect(known.outcome).toBe('changed');
    expect(gateway.payment.transactions['t-new']).toBeDefined();
  });
});
