import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, UnprocessableRequestError } from '../../shared/errors';
import type { OperationKind } from '../../shared/operations/operation-kind';
import { fingerprintOf, type OperationBody } from '../../shared/operations/operation-request';
import { runOperation } from '../../shared/operations/run-operation';
import { saveDecision } from '../../shared/payments/save-decision';
import { withCurrency } from '../../shared/worker/gateway-state';
import { MemoryGateway } from '../support/memory-gateway';
import { MemoryPaymentStore, MemoryWorkQueue } from '../support/memory-store';

const silent = { info() {}, warn() {}, error() {} };

/** The use case on the in-memory store and gateway, the clock where the test puts it. */
function setUp() {
  const store = new MemoryPaymentStore();
  const gateway = new MemoryGateway();
  const queue = new MemoryWorkQueue();
  const clock = { at: Date.parse('2026-12-01T10:00:00.000Z'), now: () => new Date(clock.at) };
  const deps = { store, gateway, queue, log: silent, clock };
  /** A reservation at the gateway, recorded on the order as the worker records the gateway's word. */
  const reserved = async (order: string, amount: string): Promise<string> => {
    const transactionId = gateway.reserve(order, amount);
    const transactions = (await gateway.transactions(transactionId)).map(withCurrency);
    await saveDecision(
      { store },
      { callbackType: 'notification', shopOrderId: order, currency: 'DKK', transactions, source: 'gateway' },
      clock.now().toISOString(),
    );
    gateway.calls.length = 0;
    queue.sent.length = 0;
    return transactionId;
  };
  const run = (kind: OperationKind, order: string, key: string, body: OperationBody = {}) =>
    runOperation(deps, { kind, shopOrderId: order, idempotencyKey: key, body, requestedBy: 'local' });
  const moneyCalls = () => gateway.calls.filter((c) => c.method !== 'payments');
  return { store, gateway, queue, clock, reserved, run, moneyCalls };
}

describe('an operation on a payment', () => {
  it('captures part of a reservation once, records who asked and the gateway Result, and queues one work carrying the operation', async () => {
    const { store, queue, reserved, run, moneyCalls } = setUp();
    const id = await reserved('o-1', '249.00');

    const done = await run('capture', 'o-1', 'k-1', { amount: '100.00' });

    expect(done).toMatchObject({ outcome: 'done', replayed: false });
    expect(done.record).toMatchObject({
      kind: 'capture',
      transactionId: id,
      amount: '100.00',
      state: 'done',
      result: 'Success',
      requestedBy: 'local',
      requestedAt: '2026-12-01T10:00:00.000Z',
      before: { capturedAmount: '0.00' },
      paymentAfter: { status: 'captured', capturedAmount: '100.00', reservedAmount: '249.00' },
    });
    expect(await store.getOperation('o-1', 'k-1')).toEqual(done.record);
    expect(moneyCalls()).toEqual([{ method: 'captureReservation', transactionId: id, amount: '100.00' }]);
    expect(queue.sent).toEqual([
      expect.objectContaining({
        status: 'captured',
        previousStatus: 'reserved',
        transactionIds: [id],
        operation: { kind: 'capture', amount: '100.00', partial: true, idempotencyKey: 'k-1' },
      }),
    ]);
  });

  it('answers a repeat of the key from the record without asking the gateway, and refuses the key for another body (422)', async () => {
    const { reserved, run, moneyCalls, queue } = setUp();
    await reserved('o-2', '249.00');
    const first = await run('capture', 'o-2', 'k-2', { amount: '100.00' });

    const again = await run('capture', 'o-2', 'k-2', { amount: '100.00' });

    expect(again).toEqual({ ...first, replayed: true });
    expect(moneyCalls()).toHaveLength(1);
    expect(queue.sent).toHaveLength(1);
    await expect(run('capture', 'o-2', 'k-2', { amount: '90.00' })).rejects.toThrow(
      UnprocessableRequestError,
    );
    await expect(run('refund', 'o-2', 'k-2', { amount: '100.00' })).rejects.toThrow(
      /Idempotency-Key k-2 was already used for another request on order o-2 \(a capture of 100.00/,
    );
  });

  it('captures what is left when no amount is given, and refuses more than is left with the amounts (422)', async () => {
    const { reserved, run } = setUp();
    await reserved('o-3', '249.00');
    await run('capture', 'o-3', 'a', { amount: '100.00' });

    await expect(run('capture', 'o-3', 'b', { amount: '200.00' })).rejects.toThrow(
      'Field amount 200.00 is more than the 149.00 left to capture.',
    );
    const rest = await run('capture', 'o-3', 'c');

    expect(rest.record).toMatchObject({ amount: '149.00', paymentAfter: { capturedAmount: '249.00' } });
    await expect(run('capture', 'o-3', 'd')).rejects.toThrow(/nothing left to capture/);
  });

  it('refuses what the confirmed state does not allow (409): a release after a capture, a refund of nothing captured', async () => {
    const { reserved, run, moneyCalls } = setUp();
    await reserved('o-4', '80.00');

    await expect(run('refund', 'o-4', 'r')).rejects.toThrow(/nothing captured to refund/);
    await run('capture', 'o-4', 'c', { amount: '10.00' });
    const release = run('release', 'o-4', 'x');
    await expect(release).rejects.toThrow(ConflictError);
    await expect(release).rejects.toThrow(/10.00 of it is captured .* refund it instead/);
    await expect(run('capture', 'o-unknown', 'c')).rejects.toThrow(NotFoundError);
    expect(moneyCalls()).toHaveLength(1);
  });

  it('refuses anything on a payment flagged unconfirmed, and asks which transaction when several hold money', async () => {
    const { store, reserved, run, gateway } = setUp();
    await reserved('o-5', '50.00');
    const payment = await store.getPayment('o-5');
    if (payment === undefined) throw new Error('no payment');
    await store.savePayment(
      { ...payment, flags: ['unconfirmed'], version: payment.version + 1 },
      payment.version,
    );
    await expect(run('capture', 'o-5', 'k')).rejects.toThrow(/flagged unconfirmed/);

    const first = await reserved('o-6', '50.00');
    const second = await reserved('o-6', '60.00');
    await expect(run('release', 'o-6', 'k')).rejects.toThrow(
      `Order o-6 has several transactions holding money (${first}, ${second}): name one in the field transactionId.`,
    );
    const released = await run('release', 'o-6', 'k', { transactionId: second });
    expect(released.record).toMatchObject({ transactionId: second, amount: '60.00' });
    expect(gateway.calls).toContainEqual({ method: 'releaseReservation', transactionId: second });
  });

  it('refuses anything on a payment flagged amount-mismatch, or while a callback awaits the gateway', async () => {
    const { store, reserved, run, moneyCalls } = setUp();
    const id = await reserved('o-8', '50.00');
    const payment = await store.getPayment('o-8');
    if (payment === undefined) throw new Error('no payment');
    await store.savePayment(
      { ...payment, flags: ['amount-mismatch'], version: payment.version + 1 },
      payment.version,
    );
    await expect(run('release', 'o-8', 'k')).rejects.toThrow(/flagged amount-mismatch/);

    await reserved('o-9', '50.00');
    const paid = await store.getPayment('o-9');
    if (paid === undefined) throw new Error('no payment');
    const [transaction] = Object.values(paid.transactions);
    if (transaction === undefined) throw new Error('no transaction');
    // A capture callback the worker has not confirmed yet: its amounts are only a claim.
    const claim = {
      callbackType: 'notification' as const,
      receivedAt: paid.updatedAt,
      confirmedPhase: 'reserved' as const,
    };
    await store.savePayment(
      {
        ...paid,
        transactions: {
          [transaction.transactionId]: { ...transaction, phase: 'captured', capturedAmount: '50.00', claim },
        },
        version: paid.version + 1,
      },
      paid.version,
    );
    await expect(run('refund', 'o-9', 'k')).rejects.toThrow(/has not confirmed yet/);
    expect(moneyCalls()).toEqual([]);
    expect(id).toBeTruthy();
  });

  it("records the gateway's refusal with its reason, and answers a repeat with it", async () => {
    const { reserved, run, gateway, moneyCalls, queue } = setUp();
    const id = await reserved('o-7', '100.00');
    // Captured behind our back: we still think 100.00 is left.
    await gateway.captureReservation(id, '100.00');
    gateway.calls.length = 0;

    const refused = await run('capture', 'o-7', 'k', { amount: '50.00' });
    const again = await run('capture', 'o-7', 'k', { amount: '50.00' });

    expect(refused).toMatchObject({
      outcome: 'refused',
      record: {
        state: 'done',
        result: 'Error',
        merchantErrorMessage: 'The capture amount 50.00 is greater than the remaining reserved amount 0.00',
      },
    });
    expect(again).toEqual({ ...refused, replayed: true });
    expect(moneyCalls()).toHaveLength(1);
    expect(queue.sent).toEqual([]);
  });

  it('after a lost answer looks at the gateway: done when the money moved, unknown when it cannot tell; the retry looks again and never captures twice', async () => {
    const { reserved, run, gateway, moneyCalls, queue } = setUp();
    await reserved('o-8', '100.00');
    gateway.loseNextAnswer('captureReservation');
    const found = await run('capture', 'o-8', 'k1', { amount: '30.00' });
    expect(found.record).toMatchObject({
      state: 'done',
      detail: 'the answer was lost; the gateway shows it happened',
    });

    gateway.loseNextAnswer('captureReservation');
    gateway.failNext('payments');
    const unknown = await run('capture', 'o-8', 'k2', { amount: '30.00' });
    expect(unknown).toMatchObject({ outcome: 'unknown', record: { state: 'unknown' } });

    const retried = await run('capture', 'o-8', 'k2', { amount: '30.00' });

    expect(retried.record).toMatchObject({ state: 'done', paymentAfter: { capturedAmount: '60.00' } });
    expect(moneyCalls()).toHaveLength(2);
    expect(queue.sent.map((w) => w.operation?.idempotencyKey)).toEqual(['k1', 'k2']);
  });

  it('answers 409 while the key is being processed, and takes over a claim abandoned minutes ago by looking first', async () => {
    const { store, reserved, run, clock, gateway, moneyCalls } = setUp();
    const id = await reserved('o-9', '100.00');
    const body = { amount: '40.00' };
    // A run claimed the key and sent the capture, which happened; then its Lambda ended.
    await store.saveOperation(
      {
        shopOrderId: 'o-9',
        idempotencyKey: 'k',
        kind: 'capture',
        fingerprint: fingerprintOf('capture', body),
        requestedBy: 'local',
        requestedAt: clock.now().toISOString(),
        transactionId: id,
        amount: '40.00',
        state: 'in-progress',
        before: { reservedAmount: '100.00', capturedAmount: '0.00', refundedAmount: '0.00' },
        revision: 1,
        updatedAt: clock.now().toISOString(),
      },
      undefined,
    );
    await gateway.captureReservation(id, '40.00');

    await expect(run('capture', 'o-9', 'k', body)).rejects.toThrow(/being processed/);
    clock.at += 3 * 60_000;
    const taken = await run('capture', 'o-9', 'k', body);

    expect(taken.record).toMatchObject({
      state: 'done',
      detail: 'the answer was lost; the gateway shows it happened',
      paymentAfter: { capturedAmount: '40.00' },
    });
    expect(moneyCalls()).toHaveLength(1);
  });
});
