import { describe, expect, it } from 'vitest';
import { encodeFormBody } from '../../shared/altapay/form-body';
import { recordCallback } from '../../shared/callbacks/record-callback';
import { DependencyError } from '../../shared/errors';
import { claimedStatusOf } from '../../shared/payments/payment';
import { callbackFields, signed, transactionXml } from '../support/gateway';
import { MemoryPaymentStore, MemoryWorkQueue } from '../support/memory-store';

const silent = { info() {}, warn() {}, error() {} };

function setup(secrets: string[] = []) {
  const store = new MemoryPaymentStore();
  const queue = new MemoryWorkQueue();
  let id = 0;
  const deps = {
    store,
    queue,
    clock: { now: () => new Date('2026-11-22T10:00:00Z') },
    log: silent,
    newId: () => `id-${++id}`,
    callbackSecrets: secrets,
    queueWhenTableFails: true,
  };
  return { store, queue, deps };
}

const body = (fields: Record<string, string>) => new TextEncoder().encode(encodeFormBody(fields));
const paid = callbackFields(
  transactionXml({ shopOrderId: 'o-1', transactionId: '1', status: 'preauth', reserved: '10.00' }),
);

describe('recording a callback', () => {
  it('saves the change with its work pending, and queues the work (the worker clears the outbox)', async () => {
    const { store, queue, deps } = setup();

    const recorded = await recordCallback(deps, 'ok', body(paid));

    // Recorded as the callback's claim; the work asks the gateway before it counts.
    expect(recorded.payment.status).toBe('created');
    expect(claimedStatusOf(recorded.payment)).toBe('reserved');
    expect(queue.sent).toEqual([
      expect.objectContaining({
        workId: 'o-1#1',
        shopOrderId: 'o-1',
        transactionIds: ['1'],
        status: 'reserved',
      }),
    ]);
    expect([...store.pendingWork.keys()]).toEqual(['o-1#1']);
    expect(store.callbackLog).toHaveLength(1);
  });

  it('answers success when the queue is down, with the work still pending in the outbox', async () => {
    const { store, queue, deps } = setup();
    queue.failing = true;

    const recorded = await recordCallback(deps, 'ok', body(paid));

    expect(claimedStatusOf(recorded.payment)).toBe('reserved');
    expect([...store.pendingWork.keys()]).toEqual(['o-1#1']);
    expect(store.callbackLog).toHaveLength(1);
  });

  it('queues the callback itself when the table is down, and still answers', async () => {
    const { store, queue, deps } = setup();
    store.failing = true;

    const recorded = await recordCallback(deps, 'ok', body(paid));

    expect(recorded.outcome).toBe('queued');
    expect(queue.callbacks).toHaveLength(1);
    expect(queue.sent).toEqual([]);
  });

  it('fails with a retryable DependencyError when the table and the queue are both down', async () => {
    const { store, queue, deps } = setup();
    store.failing = true;
    queue.failing = true;

    await expect(recordCallback(deps, 'ok', body(paid))).rejects.toBeInstanceOf(DependencyError);
    expect(queue.sent).toEqual([]);
  });

  it('queues nothing for a duplicate', async () => {
    const { queue, deps } = setup();

    await recordCallback(deps, 'ok', body(paid));
    const again = await recordCallback(deps, 'ok', body(paid));

    expect(again.outcome).toBe('duplicate');
    expect(queue.sent).toHaveLength(1);
  });

  it('verifies the checksum before reading anything else', async () => {
    const { store, deps } = setup(['s3cret']);
    const forged = { ...signed(paid, 'wrong'), xml: '<!DOCTYPE x><x/>' };

    await expect(recordCallback(deps, 'ok', body(forged))).rejects.toMatchObject({ status: 403 });
    expect(store.payments.size).toBe(0);
  });

  it('returns the card holder message only when the gateway says it must be shown', async () => {
    const { deps } = setup();
    const xml = transactionXml({
      shopOrderId: 'o-2',
      transactionId: '2',
      status: 'preauth_error',
      result: 'Failed',
    });

    const hidden = await recordCallback(
      deps,
      'fail',
      body(callbackFields(xml, { error_message: 'Declined' })),
    );
    const shown = await recordCallback(
      deps,
      'fail',
      body(callbackFields(xml, { error_message: 'Declined', cardholder_message_must_be_shown: 'true' })),
    );

    expect(hidden.cardholderMessage).toBeUndefined();
    expect(shown.cardholderMessage).toBe('Declined');
  });
});
