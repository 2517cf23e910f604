import { describe, expect, it } from 'vitest';
import type { GatewayTransaction } from '../../shared/altapay/api-response';
import { encodeFormBody } from '../../shared/altapay/form-body';
import { recordCallback } from '../../shared/callbacks/record-callback';
import type { PaymentWork } from '../../shared/payments/payment';
import type { CaptureResult, MerchantEvent, MerchantNotifier, PaymentGateway } from '../../shared/ports';
import { processWork } from '../../shared/worker/process-work';
import { runWorkMessage } from '../../shared/worker/run-work-message';
import { sweepPendingWork } from '../../shared/worker/sweep-pending-work';
import { callbackFields, transactionXml } from '../support/gateway';
import { gatewayConfirms } from '../support/gateway-confirms';
import { MemoryPaymentStore, MemoryWorkQueue } from '../support/memory-store';
import { readStatusFixture } from '../support/status-fixtures';

const silent = { info() {}, warn() {}, error() {} };

/** The gateway's own view of transactions, as `payments` and `captureReservation` report it. */
class FakeGateway implements PaymentGateway {
  readonly known = new Map<string, GatewayTransaction>();
  readonly captures: string[] = [];
  captureAnswer: 'Success' | 'Error' = 'Success';
  async createPaymentRequest(): Promise<never> {
    throw new Error('not used by the worker');
  }
  async transactionsOfOrder(): Promise<never> {
    throw new Error('not used by the worker');
  }
  async refundCapturedReservation(): Promise<never> {
    throw new Error('not used by the worker');
  }
  async releaseReservation(): Promise<never> {
    throw new Error('not used by the worker');
  }
  async chargeSubscription(): Promise<never> {
    throw new Error('not used by the worker');
  }
  async transactions(id: string) {
    const t = this.known.get(id);
    return t ? [t] : [];
  }
  async captureReservation(id: string, amount: string): Promise<CaptureResult> {
    this.captures.push(`${id}:${amount}`);
    const t = this.known.get(id);
    if (!t || this.captureAnswer === 'Error') {
      return {
        result: 'Error',
        merchantErrorMessage: 'Capture refused by acquirer',
        transactions: t ? [t] : [],
      };
    }
    const captured = {
      ...t,
      transactionStatus: 'captured',
      capturedAmount: amount,
      updatedDate: '2026-11-20 11:00:00',
    };
    this.known.set(id, captured);
    return { result: 'Success', transactions: [captured] };
  }
}

class FakeMerchant implements MerchantNotifier {
  readonly received: MerchantEvent[] = [];
  answers: number[] = [];
  async deliver(event: MerchantEvent) {
    this.received.push(event);
    return this.answers.shift() ?? 204;
  }
}

function gatewayTransaction(id: string, status: string, reserved = '100.00'): GatewayTransaction {
  return {
    transactionId: id,
    paymentId: 'p-1',
    authType: 'payment',
    transactionStatus: status,
    shopOrderId: 'o-1',
    currencyNumeric: '208',
    currencyAlpha: 'DKK',
    reservedAmount: reserved,
    capturedAmount: '0.00',
    refundedAmount: '0.00',
    updatedDate: '2026-11-20 10:00:00',
    chargebacks: [],
  } as unknown as GatewayTransaction;
}

function setup(options: { autoCapture?: boolean } = {}) {
  const store = new MemoryPaymentStore();
  const queue = new MemoryWorkQueue();
  const gateway = new FakeGateway();
  const merchant = new FakeMerchant();
  const clock = { now: () => new Date('2026-11-22T10:00:00Z') };
  const deps = {
    store,
    queue,
    gateway,
    notifier: merchant,
    clock,
    log: silent,
    newId: () => 'id',
    callbackSecrets: [],
    autoCapture: options.autoCapture ?? false,
    deliveryBackoffMs: [1, 1],
    sleep: async () => {},
  };
  /** Records a callback exactly as the Lambda does and returns the work it queued. */
  const callback = async (xml: string, type: 'ok' | 'fail' = 'ok'): Promise<PaymentWork> => {
    const body = new TextEncoder().encode(encodeFormBody(callbackFields(xml)));
    await recordCallback({ ...deps, queueWhenTableFails: true }, type, body);
    const work = queue.sent.at(-1);
    if (!work) throw new Error('no work queued');
    return work;
  };
  return { store, queue, gateway, merchant, deps, callback };
}

const paidXml = transactionXml({
  shopOrderId: 'o-1',
  transactionId: '1',
  status: 'preauth',
  reserved: '100.00',
});

describe('the slow work of a payment change', () => {
  it('confirms with the gateway, then hands the merchant one payment.reserved event', async () => {
    const { gateway, merchant, deps, callback } = setup();
    gateway.known.set('1', gatewayTransaction('1', 'preauth'));
    const work = await callback(paidXml);

    const record = await processWork(deps, work);

    expect(record).toMatchObject({ state: 'done', confirmation: { confirmed: true } });
    expect(merchant.received.map((e) => e.type)).toEqual(['payment.reserved']);
    const body = JSON.parse(merchant.received[0]?.body ?? '{}');
    expect(body).toMatchObject({
      id: merchant.received[0]?.eventId,
      type: 'payment.reserved',
      data: {
        shopOrderId: 'o-1',
        status: 'reserved',
        version: 1,
        transactions: [{ transactionId: '1', reservedAmount: '100.00' }],
      },
    });
    expect(merchant.received[0]?.body).not.toContain('457193');
  });

  it('does nothing again when the same message arrives again', async () => {
    const { gateway, merchant, deps, callback } = setup();
    gateway.known.set('1', gatewayTransaction('1', 'preauth'));
    const work = await callback(paidXml);

    await processWork(deps, work);
    await processWork(deps, work);
    await processWork(deps, work);

    expect(merchant.received).toHaveLength(1);
  });

  it('marks a callback the gateway does not know as unconfirmed and hands nothing on', async () => {
    const { store, merchant, deps, callback } = setup();
    const work = await callback(paidXml);

    const record = await processWork(deps, work);

    expect(record.confirmation).toMatchObject({
      confirmed: false,
      detail: expect.stringContaining('unknown to the gateway'),
    });
    expect(merchant.received).toEqual([]);
    const payment = store.payments.get('o-1');
    expect(payment?.flags).toEqual(['unconfirmed']);
    // The claimed transaction no longer counts: the order is not paid.
    expect(payment?.transactions['1']?.flag).toBe('unconfirmed');
    expect(payment?.status).toBe('created');
  });

  it('corrects a tampered success to what the gateway says, even backwards, and hands on only what the gateway says', async () => {
    const { store, gateway, merchant, deps, callback } = setup();
    // The gateway knows the transaction as a 3-D Secure failure; the (replayed, re-signed) callback says preauth.
    gateway.known.set('1', {
      ...gatewayTransaction('1', '3dsecure_failed', '0.00'),
      updatedDate: '2026-11-20 09:59:00',
    });
    const work = await callback(paidXml);
    expect(store.payments.get('o-1')?.status).toBe('created');

    const record = await processWork(deps, work);

    expect(record.confirmation).toMatchObject({ confirmed: false, status: 'failed' });
    // Never the claimed reservation: the order's first confirmed state is the gateway's failure.
    expect(merchant.received.map((e) => JSON.parse(e.body).data.status)).toEqual(['failed']);
    expect(store.payments.get('o-1')).toMatchObject({
      status: 'failed',
      flags: ['unconfirmed'],
      transactions: { '1': { gatewayStatus: '3dsecure_failed', reservedAmount: '0.00' } },
    });
  });

  it('keeps a refused payment failed when the gateway still lists it as preauth with nothing reserved', async () => {
    const { store, merchant, gateway, deps, callback } = setup();
    // The gateway's own view of the refused payment of the fixture: the same preauth, nothing held.
    gateway.known.set('70114', {
      ...gatewayTransaction('70114', 'preauth', '0.00'),
      shopOrderId: 'st-error-0',
      updatedDate: '2026-11-24 13:05:11',
    });
    const work = await callback(readStatusFixture('result-error-preauth-zero.xml'), 'fail');

    await processWork(deps, work);

    expect(store.payments.get('st-error-0')?.status).toBe('failed');
    expect(merchant.received.map((e) => e.type)).toEqual(['payment.failed']);
  });

  it('takes the gateway at its word when it is further along, and announces what it confirmed', async () => {
    const { store, queue, gateway, merchant, deps, callback } = setup();
    gateway.known.set('1', {
      ...gatewayTransaction('1', 'captured'),
      capturedAmount: '100.00',
      updatedDate: '2026-11-20 10:30:00',
    });
    const work = await callback(paidXml);

    await processWork(deps, work);

    expect(store.payments.get('o-1')?.status).toBe('captured');
    // Confirming is not news of its own: the work that asked announces it, once.
    expect(queue.sent.map((w) => w.status)).toEqual(['reserved']);
    expect(merchant.received.map((e) => e.type)).toEqual(['payment.captured']);
  });

  it('captures a confirmed reservation once when auto-capture is on', async () => {
    const { store, queue, gateway, deps, callback } = setup({ autoCapture: true });
    gateway.known.set('1', gatewayTransaction('1', 'preauth'));
    const work = await callback(paidXml);

    const record = await processWork(deps, work);
    await processWork(deps, work);

    expect(gateway.captures).toEqual(['1:100.00']);
    expect(record.capture).toMatchObject({ outcome: 'captured', amount: '100.00' });
    expect(store.payments.get('o-1')?.status).toBe('captured');
    expect(queue.sent.at(-1)?.status).toBe('captured');
  });

  it('never captures twice when an earlier capture went through but its answer was lost', async () => {
    const { gateway, deps, callback, store } = setup({ autoCapture: true });
    gateway.known.set('1', gatewayTransaction('1', 'preauth'));
    const work = await callback(paidXml);
    // A first run confirmed, captured at the gateway, then died before recording it.
    await gatewayConfirms(store, paidXml, '2026-11-22T10:00:00.000Z');
    await gateway.captureReservation('1', '100.00');
    const confirmed = { checkedAt: 'x', confirmed: true, detail: 'earlier run', status: 'reserved' as const };
    await store.saveWorkRecord(
      {
        workId: work.workId,
        shopOrderId: 'o-1',
        version: 1,
        state: 'in-progress',
        revision: 1,
        confirmation: confirmed,
        deliveries: [],
        createdAt: 'x',
        updatedAt: 'x',
      },
      undefined,
    );

    const record = await processWork(deps, work);

    expect(gateway.captures).toEqual(['1:100.00']);
    expect(record.capture?.outcome).toBe('already-captured');
  });

  it('does not capture a flagged second payment (it is to be refunded)', async () => {
    const { gateway, deps, callback } = setup({ autoCapture: true });
    gateway.known.set('1', gatewayTransaction('1', 'preauth'));
    gateway.known.set('2', gatewayTransaction('2', 'preauth'));
    await processWork(deps, await callback(paidXml));
    const second = await callback(
      transactionXml({ shopOrderId: 'o-1', transactionId: '2', status: 'preauth', reserved: '100.00' }),
    );

    const record = await processWork(deps, second);

    expect(gateway.captures).toEqual(['1:100.00']);
    expect(record.event?.type).toBe('payment.second_payment');
  });

  it('does not capture when work is reopened to resend an event built while auto-capture was off', async () => {
    const off = setup();
    off.gateway.known.set('1', gatewayTransaction('1', 'preauth'));
    const work = await off.callback(paidXml);
    const done = await processWork(off.deps, work);
    // An operator resends the event after switching AUTO_CAPTURE on: the record is reopened.
    const { deliveredAt: _, ...rest } = done;
    await off.store.saveWorkRecord(
      { ...rest, state: 'in-progress', revision: done.revision + 1 },
      done.revision,
    );

    const record = await processWork({ ...off.deps, autoCapture: true }, work);

    expect(off.gateway.captures).toEqual([]);
    expect(record.capture).toBeUndefined();
    expect(off.merchant.received.map((e) => e.eventId)).toEqual([done.event?.eventId, done.event?.eventId]);
  });

  it('records a refused capture and still tells the merchant about the reservation', async () => {
    const { gateway, merchant, deps, callback } = setup({ autoCapture: true });
    gateway.known.set('1', gatewayTransaction('1', 'preauth'));
    gateway.captureAnswer = 'Error';

    const record = await processWork(deps, await callback(paidXml));

    expect(record.capture).toMatchObject({ outcome: 'refused', detail: 'Capture refused by acquirer' });
    expect(merchant.received.map((e) => e.type)).toEqual(['payment.reserved']);
  });

  it('retries delivery with backoff, records every attempt, and sends the very same event next time', async () => {
    const { gateway, merchant, deps, callback, store } = setup();
    gateway.known.set('1', gatewayTransaction('1', 'preauth'));
    merchant.answers = [500, 502, 503];
    const work = await callback(paidXml);

    await expect(processWork(deps, work)).rejects.toThrow(/did not accept payment.reserved: HTTP 503/);
    expect(store.workRecords.get(work.workId)?.deliveries.map((d) => d.status)).toEqual([500, 502, 503]);
    await processWork(deps, work);

    expect(merchant.received).toHaveLength(4);
    expect(new Set(merchant.received.map((e) => e.body)).size).toBe(1);
    expect(store.workRecords.get(work.workId)).toMatchObject({
      state: 'done',
      deliveredAt: expect.any(String),
    });
  });
});

describe('what the worker counts', () => {
  it('counts every delivery attempt, accepted or not, and every unconfirmed callback', async () => {
    const { gateway, merchant, deps, callback } = setup();
    const counted: string[] = [];
    const metrics = {
      deliveryAttempt: (accepted: boolean) => counted.push(accepted ? 'accepted' : 'failed'),
      unconfirmed: () => counted.push('unconfirmed'),
      amountMismatch: () => counted.push('amount-mismatch'),
    };
    gateway.known.set('1', gatewayTransaction('1', 'preauth'));
    merchant.answers = [503];

    await processWork({ ...deps, metrics }, await callback(paidXml));
    await processWork(
      { ...deps, metrics },
      await callback(
        transactionXml({ shopOrderId: 'o-1', transactionId: '9', status: 'preauth', reserved: '1.00' }),
      ),
    );

    expect(counted).toEqual(['failed', 'accepted', 'unconfirmed']);
  });
});

describe('callbacks queued in the old raw format while the table was down', () => {
  it('are recorded by the worker as of when they arrived, and their work queued', async () => {
    const { store, queue, deps } = setup();
    const body = Buffer.from(encodeFormBody(callbackFields(paidXml))).toString('base64');

    await runWorkMessage(deps, {
      kind: 'callback',
      callbackType: 'ok',
      body,
      receivedAt: '2026-11-22T09:00:00.000Z',
    });

    expect(store.payments.get('o-1')).toMatchObject({ updatedAt: '2026-11-22T09:00:00.000Z' });
    expect(store.payments.get('o-1')?.transactions['1']?.claim).toMatchObject({ callbackType: 'ok' });
    expect(queue.sent).toHaveLength(1);
  });

  it('fail again (to be retried by the queue) while the table is still down, instead of queuing copies', async () => {
    const { store, queue, deps } = setup();
    store.failing = true;
    const body = Buffer.from(encodeFormBody(callbackFields(paidXml))).toString('base64');

    await expect(
      runWorkMessage(deps, {
        kind: 'callback',
        callbackType: 'ok',
        body,
        receivedAt: '2026-11-22T09:00:00.000Z',
      }),
    ).rejects.toThrow();
    expect(queue.callbacks).toEqual([]);
  });
});

describe('the table being down when a callback arrives', () => {
  it('queues the verified callback and answers as queued; both down is an error', async () => {
    const { store, queue, deps } = setup();
    store.failing = true;
    const body = new TextEncoder().encode(encodeFormBody(callbackFields(paidXml)));

    const recorded = await recordCallback({ ...deps, queueWhenTableFails: true }, 'ok', body);
    queue.failing = true;
    const refused = recordCallback({ ...deps, queueWhenTableFails: true }, 'ok', body);

    expect(recorded.outcome).toBe('queued');
    expect(queue.callbacks).toHaveLength(1);
    await expect(refused).rejects.toMatchObject({ name: 'DependencyError' });
  });
});

describe('the sweeper', () => {
  it('queues work no worker has picked up, once it is old enough; the worker clears it from the outbox', async () => {
    const { store, queue, deps } = setup();
    queue.failing = true;
    await recordCallback(
      { ...deps, queueWhenTableFails: true },
      'ok',
      new TextEncoder().encode(encodeFormBody(callbackFields(paidXml))),
    );
    queue.failing = false;

    const tooSoon = await sweepPendingWork(
      { ...deps, clock: { now: () => new Date('2026-11-22T10:00:10Z') } },
      { minAgeSeconds: 30, limit: 10 },
    );
    const later = await sweepPendingWork(
      { ...deps, clock: { now: () => new Date('2026-11-22T10:01:00Z') } },
      { minAgeSeconds: 30, limit: 10 },
    );

    expect(tooSoon).toEqual({ found: 0, queued: 0, failed: 0 });
    expect(later).toEqual({ found: 1, queued: 1, failed: 0 });
    expect(queue.sent.map((w) => w.workId)).toEqual(['o-1#1']);
    expect(store.pendingWork.size).toBe(1);
    const [work] = queue.sent;
    if (work) await processWork(deps, work);
    expect(store.pendingWork.size).toBe(0);
  });
});

describe('claims the gateway does not back', () => {
  it.each([
    ['released', { status: 'released', reserved: '100.00' }],
    ['refunded', { status: 'refunded', reserved: '100.00', captured: '100.00', refunded: '100.00' }],
    ['chargeback', { status: 'preauth', reserved: '100.00', result: 'ChargebackEvent' }],
  ] as const)(
    'a replayed %s for a reserved order tells the merchant nothing and stays reserved',
    async (_, claimed) => {
      const { store, gateway, merchant, deps, callback } = setup();
      gateway.known.set('1', gatewayTransaction('1', 'preauth'));
      await processWork(deps, await callback(paidXml));
      merchant.received.length = 0;

      const replay = await callback(
        transactionXml({
          shopOrderId: 'o-1',
          transactionId: '1',
          updated: '2026-11-21 10:00:00',
          ...claimed,
        }),
      );
      expect(store.payments.get('o-1')?.status).toBe('reserved');
      const record = await processWork(deps, replay);

      expect(merchant.received).toEqual([]);
      expect(record.confirmation).toMatchObject({ confirmed: false, status: 'reserved' });
      const payment = store.payments.get('o-1');
      expect(payment).toMatchObject({ status: 'reserved', flags: ['unconfirmed'] });
      expect(payment?.transactions['1']).toMatchObject({ gatewayStatus: 'preauth' });
      expect(payment?.transactions['1']).not.toHaveProperty('claim');
    },
  );
});

describe('the amount the shop asked for', () => {
  /** The order as create-payment records it: a request for 249.00 DKK. */
  const requested = (store: MemoryPaymentStore) =>
    store.payments.set('o-1', {
      shopOrderId: 'o-1',
      status: 'created',
      currency: 'DKK',
      transactions: {},
      flags: [],
      request: {
        paymentRequestId: 'pr-1',
        url: 'https://gateway.example/pay?pid=pr-1',
        amount: '249.00',
        currency: 'DKK',
        createdAt: '2026-11-22T09:00:00.000Z',
      },
      version: 1,
      createdAt: '2026-11-22T09:00:00.000Z',
      updatedAt: '2026-11-22T09:00:00.000Z',
    });

  it('flags a payment the gateway confirms for another amount, never captures it and never announces it as paid', async () => {
    const { store, gateway, merchant, deps, callback } = setup({ autoCapture: true });
    const counted: string[] = [];
    const metrics = {
      deliveryAttempt() {},
      unconfirmed() {},
      amountMismatch: () => counted.push('amount-mismatch'),
    };
    requested(store);
    gateway.known.set('1', gatewayTransaction('1', 'preauth', '1.00'));
    const work = await callback(
      transactionXml({ shopOrderId: 'o-1', transactionId: '1', status: 'preauth', reserved: '1.00' }),
    );

    const record = await processWork({ ...deps, metrics }, work);

    expect(gateway.captures).toEqual([]);
    expect(record.capture).toBeUndefined();
    expect(counted).toEqual(['amount-mismatch']);
    expect(store.payments.get('o-1')).toMatchObject({
      flags: ['amount-mismatch'],
      transactions: { '1': { flag: 'amount-mismatch', reservedAmount: '1.00' } },
    });
    expect(merchant.received.map((e) => e.type)).toEqual(['payment.amount_mismatch']);
    expect(JSON.parse(merchant.received[0]?.body ?? '{}').data).toMatchObject({
      expected: { amount: '249.00', currency: 'DKK' },
      transactions: [{ transactionId: '1', reservedAmount: '1.00', flag: 'amount-mismatch' }],
    });
  });

  it('shows the expected amount beside the paid one in every event, and captures the exact amount', async () => {
    const { store, gateway, merchant, deps, callback } = setup({ autoCapture: true });
    requested(store);
    gateway.known.set('1', gatewayTransaction('1', 'preauth', '249.00'));

    await processWork(
      deps,
      await callback(
        transactionXml({ shopOrderId: 'o-1', transactionId: '1', status: 'preauth', reserved: '249.00' }),
      ),
    );

    expect(gateway.captures).toEqual(['1:249.00']);
    expect(merchant.received.map((e) => e.type)).toEqual(['payment.reserved']);
    expect(JSON.parse(merchant.received[0]?.body ?? '{}').data).toMatchObject({
      status: 'reserved',
      previousStatus: 'created',
      expected: { amount: '249.00', currency: 'DKK' },
    });
  });
});
