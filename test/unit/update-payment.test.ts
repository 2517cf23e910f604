import { describe, expect, it } from 'vitest';
import { ContendedPaymentError } from '../../shared/errors';
import type { Payment } from '../../shared/payments/payment';
import { updateAttempts, updatePayment } from '../../shared/payments/update-payment';
import { MemoryPaymentStore } from '../support/memory-store';

const created: Payment = {
  shopOrderId: 'o-1',
  status: 'created',
  currency: 'DKK',
  transactions: {},
  flags: [],
  version: 1,
  createdAt: '2026-11-22T10:00:00.000Z',
  updatedAt: '2026-11-22T10:00:00.000Z',
};

/** A store where another writer saves a newer version just before each of our first `races` writes. */
class RacingStore extends MemoryPaymentStore {
  writes = 0;
  constructor(private races: number) {
    super();
    this.payments.set(created.shopOrderId, created);
  }
  override async savePayment(...args: Parameters<MemoryPaymentStore['savePayment']>) {
    this.writes++;
    if (this.races > 0) {
      this.races--;
      const current = this.payments.get(created.shopOrderId) ?? created;
      this.payments.set(created.shopOrderId, { ...current, version: current.version + 1 });
    }
    return super.savePayment(...args);
  }
}

const flagged = (current: Payment | undefined) => ({
  write: true as const,
  next: { ...(current ?? created), flags: ['unconfirmed' as const], version: (current?.version ?? 0) + 1 },
  result: 'flagged',
});

describe('updating a payment optimistically', () => {
  it('decides again on the newer payment after a conflict, and saves that decision', async () => {
    const store = new RacingStore(2);
    const seen: number[] = [];

    const result = await updatePayment(store, 'o-1', (current) => {
      seen.push(current?.version ?? 0);
      return flagged(current);
    });

    expect(result).toBe('flagged');
    expect(seen).toEqual([1, 2, 3]);
    expect(store.payments.get('o-1')).toMatchObject({ version: 4, flags: ['unconfirmed'] });
  });

  it(`gives up with a ContendedPaymentError after ${updateAttempts} conflicts, having written nothing of its own`, async () => {
    const store = new RacingStore(Number.POSITIVE_INFINITY);

    const update = updatePayment(store, 'o-1', flagged);

    await expect(update).rejects.toBeInstanceOf(ContendedPaymentError);
    await expect(update).rejects.toMatchObject({
      name: 'ContendedPaymentError',
      dependency: 'payments-table',
    });
    expect(store.writes).toBe(updateAttempts);
    expect(store.payments.get('o-1')?.flags).toEqual([]);
  });

  it('never writes when the decision is that nothing changes', async () => {
    const store = new RacingStore(0);

    const result = await updatePayment(store, 'o-1', () => ({ write: false, result: 'unchanged' }));

    expect(result).toBe('unchanged');
    expect(store.writes).toBe(0);
  });

  it('creates the payment when none exists (the decision sees undefined)', async () => {
    const store = new MemoryPaymentStore();

    await updatePayment(store, 'o-2', (current) => ({
      write: true,
      next: { ...created, shopOrderId: 'o-2' },
      result: current,
    }));

    expect(store.payments.get('o-2')?.version).toBe(1);
  });
});
