import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DependencyError } from '../../shared/errors';
import type { OperationRecord } from '../../shared/operations/operation-record';
import {
  type CallbackLogEntry,
  callbackLogLimit,
  callbackLogMaxEntries,
  callbackLogShown,
} from '../../shared/payments/callback-log';
import type { Payment, PaymentWork } from '../../shared/payments/payment';
import type { PaymentStore } from '../../shared/ports';
import type { WorkRecord } from '../../shared/worker/work-record';

export interface StoreUnderTest {
  /** A store over the shared state of this suite (orders are unique per test, so state may be shared). */
  readonly store: () => PaymentStore;
  /** A store whose table cannot be reached. */
  readonly unreachable: () => PaymentStore;
}

const at = (minute: number) => new Date(Date.UTC(2026, 10, 22, 10, minute)).toISOString();

function paymentOf(shopOrderId: string, version = 1): Payment {
  return {
    shopOrderId,
    status: 'reserved',
    currency: 'DKK',
    orderPhase: 'open',
    transactions: {
      '80000001': {
        transactionId: '80000001',
        paymentId: 'b4b301ca-8ef7-4e33-bc5c-a5c48de1f266',
        authType: 'payment',
        gatewayStatus: 'preauth',
        phase: 'reserved',
        currency: 'DKK',
        reservedAmount: '249.00',
        capturedAmount: '0.00',
        refundedAmount: '0.00',
        maskedPan: '457199******1234',
        chargebacks: 0,
        gatewayUpdatedDate: '2026-11-22 10:15:59',
        updatedAt: at(version),
        details: { terminal: 'Shop DKK Terminal', paymentNature: 'CreditCard' },
      },
    },
    flags: [],
    request: {
      paymentRequestId: 'pr-1',
      url: 'https://gateway.example/pay?pid=pr-1',
      amount: '249.00',
      currency: 'DKK',
      language: 'da',
      createdAt: at(0),
    },
    lastCallbackAt: at(version),
    version,
    createdAt: at(0),
    updatedAt: at(version),
  };
}

function workOf(payment: Payment, createdAt = payment.updatedAt): PaymentWork {
  return {
    workId: `${payment.shopOrderId}#${payment.version}`,
    shopOrderId: payment.shopOrderId,
    version: payment.version,
    callbackType: 'ok',
    status: payment.status,
    previousStatus: 'created',
    transactionIds: ['80000001'],
    createdAt,
  };
}

function entryOf(shopOrderId: string, n: number, outcome: CallbackLogEntry['outcome']): CallbackLogEntry {
  return {
    shopOrderId,
    entryId: `${shopOrderId}-${n}`,
    callbackType: 'notification',
    receivedAt: at(n % 60),
    outcome,
    duplicate: outcome !== 'changed',
    result: 'Success',
    transactionIds: ['80000001'],
    statusAfter: 'reserved',
  };
}

function recordOf(shopOrderId: string, revision: number): WorkRecord {
  return {
    workId: `${shopOrderId}#2`,
    shopOrderId,
    version: 2,
    state: 'in-progress',
    revision,
    confirmation: { checkedAt: at(3), confirmed: true, detail: 'the gateway confirms 80000001' },
    deliveries: [{ at: at(4), status: 500, durationMs: 12 }],
    lastError: 'HTTP 500',
    createdAt: at(3),
    updatedAt: at(4),
  };
}

function operationOf(shopOrderId: string, revision: number): OperationRecord {
  return {
    shopOrderId,
    idempotencyKey: 'c4a1f0e2-capture:1.a_b',
    kind: 'capture',
    fingerprint: 'a3'.repeat(32),
    requestedBy: 'arn:aws:iam::123456789012:user/back-office',
    requestedAt: at(5),
    transactionId: '80000001',
    amount: '100.00',
    state: revision === 1 ? 'in-progress' : 'done',
    before: { reservedAmount: '249.00', capturedAmount: '0.00', refundedAmount: '0.00' },
    ...(revision === 1
      ? {}
      : {
          result: 'Success',
          paymentAfter: {
            status: 'captured',
            currency: 'DKK',
            version: 3,
            reservedAmount: '249.00',
            capturedAmount: '100.00',
            refundedAmount: '0.00',
          },
        }),
    revision,
    updatedAt: at(5 + revision),
  };
}

/**
 * What every PaymentStore does, whatever holds the data: the in-memory fake the use-case tests use
 * and the DynamoDB adapter are both held to it, so the fake cannot promise what the table does not.
 */
export function paymentStoreContract(name: string, subject: StoreUnderTest): void {
  const order = () => `contract-${randomUUID().slice(0, 13)}`;

  describe(`${name}: the PaymentStore contract`, () => {
    it('knows nothing of an order it never saved', async () => {
      const store = subject.store();
      const id = order();

      expect(await store.getPayment(id)).toBeUndefined();
      expect(await store.getPaymentHistory(id)).toBeUndefined();
      expect(await store.getWorkRecord(id, `${id}#1`)).toBeUndefined();
    });

    it('creates a payment only if none exists, and reads it back as saved', async () => {
      const store = subject.store();
      const payment = paymentOf(order());

      expect(await store.savePayment(payment, undefined)).toBe('saved');
      expect(await store.savePayment({ ...payment, status: 'failed' }, undefined)).toBe('conflict');

      expect(await store.getPayment(payment.shopOrderId)).toEqual(payment);
    });

    it('saves over the expected version only, so the second of two writers from one version conflicts', async () => {
      const store = subject.store();
      const v1 = paymentOf(order());
      await store.savePayment(v1, undefined);
      const first = { ...paymentOf(v1.shopOrderId, 2), status: 'captured' as const };
      const second = { ...paymentOf(v1.shopOrderId, 2), status: 'failed' as const };

      expect(await store.savePayment(first, 1)).toBe('saved');
      expect(await store.savePayment(second, 1)).toBe('conflict');

      expect(await store.getPayment(v1.shopOrderId)).toEqual(first);
    });

    it('refuses an update of an order that does not exist, and creates nothing', async () => {
      const store = subject.store();
      const payment = paymentOf(order(), 2);

      expect(await store.savePayment(payment, 1)).toBe('conflict');

      expect(await store.getPayment(payment.shopOrderId)).toBeUndefined();
    });

    it('holds exactly the saved payment: a field the new version no longer has is gone', async () => {
      const store = subject.store();
      const v1 = paymentOf(order());
      await store.savePayment(v1, undefined);
      const { orderPhase: _, lastCallbackAt: __, ...rest } = paymentOf(v1.shopOrderId, 2);

      await store.savePayment(rest, 1);

      expect(await store.getPayment(v1.shopOrderId)).toEqual(rest);
    });

    it('lists work saved with its change as pending until it is marked queued', async () => {
      const store = subject.store();
      const v1 = paymentOf(order());
      const v2 = paymentOf(v1.shopOrderId, 2);
      const mine = (work: readonly PaymentWork[]) => work.filter((w) => w.shopOrderId === v1.shopOrderId);
      await store.savePayment(v1, undefined, { work: workOf(v1, at(1)) });
      await store.savePayment(v2, 1, { work: workOf(v2, at(2)) });

      expect(mine(await store.listPendingWork(at(3), 1000))).toEqual(
        expect.arrayContaining([workOf(v1, at(1)), workOf(v2, at(2))]),
      );
      // Work younger than `before` is left to its callback.
      expect(mine(await store.listPendingWork(at(2), 1000))).toEqual([workOf(v1, at(1))]);

      await store.markWorkQueued(workOf(v1, at(1)));
      expect(mine(await store.listPendingWork(at(3), 1000))).toEqual([workOf(v2, at(2))]);
      await store.markWorkQueued(workOf(v2, at(2)));
      expect(mine(await store.listPendingWork(at(3), 1000))).toEqual([]);
      // Marking work of an order that does not exist is harmless.
      await store.markWorkQueued({ ...workOf(v1), shopOrderId: order() });
    });

    it('lists at most `limit` pending works', async () => {
      const store = subject.store();
      for (const id of [order(), order(), order()]) {
        const payment = paymentOf(id);
        await store.savePayment(payment, undefined, { work: workOf(payment, at(1)) });
      }

      expect(await store.listPendingWork(at(2), 2)).toHaveLength(2);
    });

    it('lists payments of one status updated within a time range, oldest first, at most `limit`', async () => {
      const store = subject.store();
      // A year of its own, so that other tests' payments fall outside the range.
      const year = 2040 + Math.floor(Math.random() * 900);
      const when = (minute: number) => new Date(Date.UTC(year, 0, 1, 10, minute)).toISOString();
      const saved = async (status: Payment['status'], minute: number) => {
        const payment = { ...paymentOf(order()), status, updatedAt: when(minute) };
        await store.savePayment(payment, undefined);
        return payment;
      };
      const late = await saved('open', 30);
      const early = await saved('open', 10);
      const atEnd = await saved('open', 40);
      await saved('open', 41);
      await saved('open', 9);
      await saved('created', 20);
      const range = { from: when(10), to: when(40) };

      expect(await store.listPaymentsByStatus('open', range, 10)).toEqual([early, late, atEnd]);
      expect(await store.listPaymentsByStatus('open', range, 2)).toEqual([early, late]);
      expect(await store.listPaymentsByStatus('refunded', range, 10)).toEqual([]);
    });

    it('keeps the callback of each change in the log, and logs the ones that change nothing up to the limit, then counts them', async () => {
      const store = subject.store();
      const v1 = paymentOf(order());
      await store.savePayment(v1, undefined, { logEntry: entryOf(v1.shopOrderId, 0, 'changed') });
      for (let n = 1; n < callbackLogLimit + 3; n++)
        await store.logCallback(entryOf(v1.shopOrderId, n, 'duplicate'));
      // A change is logged even on a full log.
      await store.savePayment(paymentOf(v1.shopOrderId, 2), 1, {
        logEntry: entryOf(v1.shopOrderId, 99, 'changed'),
      });

      const history = await store.getPaymentHistory(v1.shopOrderId);

      expect(history?.payment).toEqual(paymentOf(v1.shopOrderId, 2));
      expect(history?.callbackLog).toHaveLength(callbackLogLimit + 1);
      expect(history?.callbackLog.slice(0, 2)).toEqual([
        entryOf(v1.shopOrderId, 0, 'changed'),
        entryOf(v1.shopOrderId, 1, 'duplicate'),
      ]);
      expect(history?.callbackLog.at(-1)).toEqual(entryOf(v1.shopOrderId, 99, 'changed'));
      expect(history?.callbacksNotLogged).toBe(3);
    });

    it(`saves changes past ${callbackLogMaxEntries} log entries but only counts their callbacks, and still refuses a stale version`, async () => {
      const store = subject.store();
      const id = order();
      await store.savePayment(paymentOf(id), undefined, { logEntry: entryOf(id, 0, 'changed') });
      const last = callbackLogMaxEntries + 2;
      for (let version = 2; version <= last; version++) {
        const saved = await store.savePayment(paymentOf(id, version), version - 1, {
          logEntry: entryOf(id, version, 'changed'),
        });
        expect(saved).toBe('saved');
      }

      const stale = await store.savePayment(paymentOf(id, last), last - 2, {
        logEntry: entryOf(id, last + 1, 'changed'),
      });
      const history = await store.getPaymentHistory(id);

      expect(stale).toBe('conflict');
      expect(history?.payment).toEqual(paymentOf(id, last));
      // Entries 0 and 2 to 200 are kept (versions start at 1, the first entry is 0); 201 and 202 counted.
      expect(history?.callbackLog.at(-1)).toEqual(entryOf(id, callbackLogMaxEntries, 'changed'));
      expect(history?.callbacksNotLogged).toBe(last - callbackLogMaxEntries);
    });

    it(`shows the latest ${callbackLogShown} entries of a longer log, oldest first`, async () => {
      const store = subject.store();
      const id = order();
      await store.savePayment(paymentOf(id), undefined, { logEntry: entryOf(id, 0, 'changed') });
      for (let version = 2; version <= callbackLogShown + 2; version++) {
        await store.savePayment(paymentOf(id, version), version - 1, {
          logEntry: entryOf(id, version, 'changed'),
        });
      }

      const log = (await store.getPaymentHistory(id))?.callbackLog ?? [];

      expect(log).toHaveLength(callbackLogShown);
      expect(log[0]).toEqual(entryOf(id, 3, 'changed'));
      expect(log.at(-1)).toEqual(entryOf(id, callbackLogShown + 2, 'changed'));
    });

    it('logs nothing for an order it does not know, and does not create it', async () => {
      const store = subject.store();
      const id = order();

      await store.logCallback(entryOf(id, 1, 'duplicate'));

      expect(await store.getPayment(id)).toBeUndefined();
    });

    it('creates a work record only if new, and saves over the expected revision only', async () => {
      const store = subject.store();
      const id = order();
      const first = recordOf(id, 1);
      const second = { ...recordOf(id, 2), state: 'done' as const, deliveredAt: at(5) };

      expect(await store.saveWorkRecord(first, undefined)).toBe('saved');
      expect(await store.saveWorkRecord(first, undefined)).toBe('conflict');
      expect(await store.saveWorkRecord(second, 1)).toBe('saved');
      expect(await store.saveWorkRecord({ ...second, revision: 3 }, 1)).toBe('conflict');

      expect(await store.getWorkRecord(id, first.workId)).toEqual(second);
    });

    it('claims an Idempotency-Key once, then saves the operation over the expected revision only', async () => {
      const store = subject.store();
      const id = order();
      const claim = operationOf(id, 1);
      const answered = operationOf(id, 2);

      expect(await store.getOperation(id, claim.idempotencyKey)).toBeUndefined();
      expect(await store.saveOperation(claim, undefined)).toBe('saved');
      // A second request with the same key cannot claim it.
      expect(await store.saveOperation({ ...claim, requestedBy: 'local' }, undefined)).toBe('conflict');
      expect(await store.saveOperation(answered, 1)).toBe('saved');
      expect(await store.saveOperation({ ...answered, state: 'unknown' }, 1)).toBe('conflict');

      expect(await store.getOperation(id, claim.idempotencyKey)).toEqual(answered);
      // The same key on another order is another operation; the payment item is untouched.
      expect(await store.getOperation(order(), claim.idempotencyKey)).toBeUndefined();
      expect(await store.getPayment(id)).toBeUndefined();
    });

    it('fails with a DependencyError, never a raw error, when the table cannot be reached', async () => {
      const store = subject.unreachable();
      const payment = paymentOf(order());
      const calls = [
        () => store.getPayment(payment.shopOrderId),
        () => store.savePayment(payment, undefined),
        () => store.logCallback(entryOf(payment.shopOrderId, 1, 'duplicate')),
        () => store.markWorkQueued(workOf(payment)),
        () => store.getPaymentHistory(payment.shopOrderId),
        () => store.getWorkRecord(payment.shopOrderId, 'w'),
        () => store.saveWorkRecord(recordOf(payment.shopOrderId, 1), undefined),
        () => store.listPendingWork(at(1), 10),
        () => store.getOperation(payment.shopOrderId, 'k'),
        () => store.saveOperation(operationOf(payment.shopOrderId, 1), undefined),
        () => store.listPaymentsByStatus('created', { from: at(0), to: at(1) }, 10),
      ];

      for (const call of calls) await expect(call()).rejects.toBeInstanceOf(DependencyError);
    });
  });
}
