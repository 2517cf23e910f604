import { describe, expect, it } from 'vitest';
import type { Payment } from '../../shared/payments/payment';
import {
  type ReconcileDeps,
  reconcileOrder,
  reconcilePayments,
} from '../../shared/reconcile/reconcile-payments';
import { MemoryGateway } from '../support/memory-gateway';
import { MemoryPaymentStore, MemoryWorkQueue } from '../support/memory-store';

const now = new Date('2026-12-01T12:00:00.000Z');
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();
const options = { afterMinutes: 15, requestExpiryMinutes: 180, limit: 100 };

/** A payment as create-payment leaves it: a request made `minutes` ago, no callback since. */
function awaiting(shopOrderId: string, minutes: number, overrides: Partial<Payment> = {}): Payment {
  const at = minutesAgo(minutes);
  return {
    shopOrderId,
    status: 'created',
    currency: 'DKK',
    transactions: {},
    flags: [],
    request: {
      paymentRequestId: `pr-${shopOrderId}`,
      url: `https://gateway.example/pay?pid=pr-${shopOrderId}`,
      amount: '249.00',
      currency: 'DKK',
      createdAt: at,
      expiresAt: minutesAgo(minutes - 180),
      attempt: 1,
    },
    version: 1,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

function setUp(...payments: Payment[]) {
  const store = new MemoryPaymentStore();
  for (const payment of payments) store.payments.set(payment.shopOrderId, payment);
  const gateway = new MemoryGateway();
  const queue = new MemoryWorkQueue();
  const logged: { level: string; message: string; context: Record<string, unknown> }[] = [];
  const record = (level: string) => (message: string, context: Record<string, unknown>) => {
    logged.push({ level, message, context });
  };
  const log = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
  let ids = 0;
  const deps: ReconcileDeps = {
    store,
    queue,
    gateway,
    clock: { now: () => now },
    log,
    newId: () => `entry-${++ids}`,
  };
  return { deps, store, gateway, queue, logged };
}

describe('reconciling payments whose callback never came', () => {
  it('records what the gateway holds for an unanswered request as its own word, with a reconciled log entry and work for the worker', async () => {
    const { deps, store, gateway, queue } = setUp(awaiting('R-1', 20));
    const transactionId = gateway.reserve('R-1', '249.00');

    const summary = await reconcilePayments(deps, options);

    expect(summary).toEqual({ asked: 1, changed: 1, unchanged: 0, unknown: 0, failed: 0 });
    const payment = store.payments.get('R-1');
    expect(payment?.status).toBe('reserved');
    expect(payment?.transactions[transactionId]).toMatchObject({
      gatewayStatus: 'preauth',
      phase: 'reserved',
      reservedAmount: '249.00',
    });
    expect(store.callbackLog).toEqual([
      expect.objectContaining({
        shopOrderId: 'R-1',
        callbackType: 'reconciled',
        outcome: 'changed',
        transactionIds: [transactionId],
        statusAfter: 'reserved',
      }),
    ]);
    expect(queue.sent).toEqual([
      expect.objectContaining({
        shopOrderId: 'R-1',
        status: 'reserved',
        previousStatus: 'created',
        transactionIds: [transactionId],
      }),
    ]);
  });

  it('changes nothing and writes nothing when the gateway holds nothing for the order (an abandoned checkout)', async () => {
    const before = awaiting('R-2', 20);
    const { deps, store, queue, logged } = setUp(before);

    const summary = await reconcilePayments(deps, options);

    expect(summary).toEqual({ asked: 1, changed: 0, unchanged: 0, unknown: 1, failed: 0 });
    expect(store.payments.get('R-2')).toEqual(before);
    expect(store.callbackLog).toEqual([]);
    expect(queue.sent).toEqual([]);
    expect(logged.filter((l) => l.level !== 'debug')).toEqual([]);
  });

  it('goes on with the other orders when the gateway fails for one, which the next run asks again', async () => {
    const { deps, store, gateway } = setUp(awaiting('R-3', 40), awaiting('R-4', 30));
    gateway.reserve('R-3', '249.00');
    gateway.reserve('R-4', '249.00');
    gateway.failNext('payments');

    const first = await reconcilePayments(deps, options);

    expect(first).toEqual({ asked: 2, changed: 1, unchanged: 0, unknown: 0, failed: 1 });
    // Oldest first: R-3 was asked first and met the failure.
    expect(store.payments.get('R-3')?.status).toBe('created');
    expect(store.payments.get('R-4')?.status).toBe('reserved');

    const second = await reconcilePayments(deps, options);

    expect(second).toEqual({ asked: 1, changed: 1, unchanged: 0, unknown: 0, failed: 0 });
    expect(store.payments.get('R-3')?.status).toBe('reserved');
  });

  it('asks about at most `limit` orders per run, the oldest first', async () => {
    const { deps, gateway } = setUp(awaiting('R-new', 16), awaiting('R-old', 100), awaiting('R-mid', 50));

    const summary = await reconcilePayments(deps, { ...options, limit: 2 });

    expect(summary.asked).toBe(2);
    expect(gateway.calls.map((c) => c.shopOrderId)).toEqual(['R-old', 'R-mid']);
  });

  it('leaves requests younger than RECONCILE_AFTER_MINUTES, answered ones and long-expired ones alone, and asks about open payments unchanged for a day', async () => {
    const { deps, gateway } = setUp(
      awaiting('R-young', 10),
      awaiting('R-answered', 20, { status: 'failed', lastCallbackAt: minutesAgo(19) }),
      awaiting('R-abandoned', 15 + 180 + 1),
      awaiting('R-retried', 20, { status: 'failed', lastCallbackAt: minutesAgo(25) }),
      awaiting('R-open', 25 * 60, { status: 'open', lastCallbackAt: minutesAgo(25 * 60) }),
      awaiting('R-open-young', 60, { status: 'open', lastCallbackAt: minutesAgo(60) }),
    );

    await reconcilePayments(deps, options);

    expect(gateway.calls.map((c) => c.shopOrderId).sort()).toEqual(['R-open', 'R-retried']);
  });

  it('reconciles one order on demand, and says so when the order is not recorded', async () => {
    const { deps, gateway } = setUp(awaiting('R-5', 1));
    gateway.reserve('R-5', '100.00');

    const known = await reconcileOrder(deps, 'R-5');
    const again = await reconcileOrder(deps, 'R-5');
    const unknown = await reconcileOrder(deps, 'R-none');

    expect(known.outcome).toBe('changed');
    expect(known.payment?.status).toBe('reserved');
    expect(again.outcome).toBe('unchanged');
    expect(unknown).toEqual({ outcome: 'failed', error: 'no payment is recorded for order R-none' });
  });
});
