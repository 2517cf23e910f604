import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GatewayTransaction } from '../../shared/altapay/api-response';
import { encodeFormBody } from '../../shared/altapay/form-body';
import { recordCallback } from '../../shared/callbacks/record-callback';
import { applyCallback, type CallbackFacts } from '../../shared/payments/apply-callback';
import { type CallbackType, claimedStatusOf, type Payment } from '../../shared/payments/payment';
import { phaseRank } from '../../shared/payments/transaction-phase';
import { callbackFields, transactionXml } from '../support/gateway';
import { MemoryPaymentStore, MemoryWorkQueue } from '../support/memory-store';
import { propertyRuns } from './runs';

const now = '2026-11-22T10:00:00.000Z';
const statuses = [
  'created',
  'preauth',
  'captured',
  'refunded',
  'released',
  'preauth_error',
  'epayment_cancelled',
  'invoice_initialized',
  'something_new',
];

/** One gateway view of a transaction, as a callback would carry it. */
const snapshot = fc.record({
  status: fc.constantFrom(...statuses),
  reserved: fc.constantFrom('0.00', '10.00'),
  captured: fc.constantFrom('0.00', '5.00', '10.00'),
  refunded: fc.constantFrom('0.00', '10.00'),
  minute: fc.integer({ min: 0, max: 5 }),
  transactionId: fc.constantFrom('1', '2'),
  callbackType: fc.constantFrom<CallbackType>('ok', 'fail', 'open', 'notification'),
});
type Snapshot = typeof snapshot extends fc.Arbitrary<infer T> ? T : never;

function facts(s: Snapshot): CallbackFacts {
  const transaction = {
    transactionId: s.transactionId,
    transactionStatus: s.status,
    authType: 'payment',
    shopOrderId: 'o-1',
    currencyNumeric: '208',
    currencyAlpha: 'DKK',
    reservedAmount: s.reserved,
    capturedAmount: s.captured,
    refundedAmount: s.refunded,
    updatedDate: `2026-11-20 10:0${s.minute}:00`,
    chargebacks: [],
  } as unknown as GatewayTransaction;
  return { callbackType: s.callbackType, shopOrderId: 'o-1', currency: 'DKK', transactions: [transaction] };
}

function replay(list: readonly Snapshot[]): Payment | undefined {
  let payment: Payment | undefined;
  for (const s of list) {
    const decision = applyCallback(payment, facts(s), now);
    if (decision.outcome === 'changed') payment = decision.payment;
  }
  return payment;
}

// Which of two deliveries of the same state came first is not state: a claim's callback type and
// arrival are left out (and its confirmed phase kept).
const withoutFlags = (p: Payment | undefined) =>
  Object.fromEntries(
    Object.entries(p?.transactions ?? {}).map(([id, t]) => [
      id,
      { ...t, flag: undefined, claim: t.claim && { confirmedPhase: t.claim.confirmedPhase } },
    ]),
  );

describe('the payment state machine, on generated deliveries', () => {
  it('reaches the same transactions and status in every delivery order', () => {
    const deliveries = fc.array(snapshot, { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(
        deliveries.chain((list) =>
          fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length })),
        ),
        ([inOrder, shuffled]) => {
          const a = replay(inOrder);
          const b = replay(shuffled);
          expect(withoutFlags(b)).toEqual(withoutFlags(a));
          expect(b?.status).toBe(a?.status);
          expect(b && claimedStatusOf(b)).toBe(a && claimedStatusOf(a));
        },
      ),
      { numRuns: propertyRuns },
    );
  });

  it('never moves a transaction back, never changes anything on a repeat, and counts versions honestly', () => {
    fc.assert(
      fc.property(fc.array(snapshot, { minLength: 1, maxLength: 10 }), (list) => {
        let payment: Payment | undefined;
        let changes = 0;
        for (const s of list) {
          const before = payment;
          const decision = applyCallback(payment, facts(s), now);
          if (decision.outcome === 'changed') {
            payment = decision.payment;
            changes++;
          }
          for (const [id, t] of Object.entries(payment?.transactions ?? {})) {
            const old = before?.transactions[id];
            if (old) expect(phaseRank[t.phase]).toBeGreaterThanOrEqual(phaseRank[old.phase]);
          }
          expect(applyCallback(payment, facts(s), now).outcome).not.toBe('changed');
        }
        expect(payment?.version).toBe(changes);
      }),
      { numRuns: propertyRuns },
    );
  });

  it('never lets a failure undo a payment that was paid', () => {
    fc.assert(
      fc.property(
        fc.array(snapshot, { maxLength: 6 }),
        fc.constantFrom('preauth_error', '3dsecure_failed', 'epayment_declined'),
        (list, failure) => {
          const paid = replay([
            ...list,
            {
              status: 'preauth',
              reserved: '10.00',
              captured: '0.00',
              refunded: '0.00',
              minute: 0,
              transactionId: '1',
              callbackType: 'ok',
            },
          ]);
          const statusBefore = paid?.transactions['1']?.phase ?? 'created';
          const after = applyCallback(
            paid,
            facts({
              status: failure,
              reserved: '0.00',
              captured: '0.00',
              refunded: '0.00',
              minute: 5,
              transactionId: '1',
              callbackType: 'fail',
            }),
            now,
          );
          expect(phaseRank[after.payment.transactions['1']?.phase ?? 'created']).toBeGreaterThanOrEqual(
            phaseRank[statusBefore],
          );
        },
      ),
      { numRuns: propertyRuns },
    );
  });
});

describe('claims and the gateway, on generated deliveries', () => {
  /** The gateway's answer about every transaction: its own view, whatever the callbacks said. */
  const answer = (truth: readonly Snapshot[], askedAt: string): CallbackFacts => ({
    ...facts(truth[0] as Snapshot),
    transactions: truth.flatMap((t) => facts(t).transactions),
    source: 'gateway',
    askedAt,
  });
  const truths = fc.uniqueArray(snapshot, { minLength: 1, maxLength: 2, selector: (s) => s.transactionId });

  it('counts nothing a callback claims, and exactly what the gateway answers once it was asked', () => {
    fc.assert(
      fc.property(fc.array(snapshot, { minLength: 1, maxLength: 6 }), truths, (claims, truth) => {
        const claimed = replay(claims);
        // Only callbacks: nothing is confirmed, whatever they say.
        expect(claimed?.status).toBe('created');

        const later = '2026-11-22T11:00:00.000Z';
        const confirmed = applyCallback(claimed, answer(truth, later), later).payment;
        const gatewayOnly = applyCallback(undefined, answer(truth, later), later).payment;

        for (const t of truth) {
          expect(confirmed.transactions[t.transactionId]).not.toHaveProperty('claim');
          expect(confirmed.transactions[t.transactionId]?.phase).toBe(
            gatewayOnly.transactions[t.transactionId]?.phase,
          );
        }
        // A transaction the gateway was not asked about still waits; the rest is what the gateway says.
        const asked = new Set<string>(truth.map((t) => t.transactionId));
        const unasked = Object.keys(confirmed.transactions).filter((id) => !asked.has(id));
        if (unasked.length === 0) expect(confirmed.status).toBe(gatewayOnly.status);
      }),
      { numRuns: propertyRuns },
    );
  });
});

describe('recording callbacks while the table and queue fail at random moments', () => {
  const step = fc.record({
    transactionId: fc.constantFrom('1', '2', '3'),
    status: fc.constantFrom('preauth', 'captured', 'preauth_error', 'invoice_initialized'),
    minute: fc.integer({ min: 0, max: 5 }),
    type: fc.constantFrom<CallbackType>('ok', 'fail', 'open', 'notification'),
    // How many table calls succeed before it goes down during this callback (Infinity: it stays up).
    tableCalls: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.nat({ max: 6 })),
    queueDown: fc.boolean(),
  });

  it('stores every callback it acknowledged, in the table or on the queue, and refuses the rest', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
        const store = new MemoryPaymentStore();
        const queue = new MemoryWorkQueue();
        const deps = {
          store,
          queue,
          clock: { now: () => new Date(now) },
          log: { info() {}, warn() {}, error() {} },
          newId: () => String(Math.random()),
          callbackSecrets: [],
          queueWhenTableFails: true,
        };
        for (const s of steps) {
          store.failing = false;
          store.callsUntilDown = s.tableCalls;
          queue.failing = s.queueDown;
          const xml = transactionXml({
            shopOrderId: 'o-1',
            transactionId: s.transactionId,
            status: s.status,
            reserved: s.status === 'preauth' || s.status === 'captured' ? '10.00' : '0.00',
            captured: s.status === 'captured' ? '10.00' : '0.00',
            updated: `2026-11-20 10:0${s.minute}:00`,
          });
          const before = { queued: queue.callbacks.length, version: store.payments.get('o-1')?.version ?? 0 };
          let acknowledged: Awaited<ReturnType<typeof recordCallback>> | undefined;
          try {
            acknowledged = await recordCallback(
              deps,
              s.type,
              new TextEncoder().encode(encodeFormBody(callbackFields(xml))),
            );
          } catch {
            acknowledged = undefined;
          }
          if (acknowledged?.outcome === 'queued') {
            expect(queue.callbacks.length).toBe(before.queued + 1);
          } else if (acknowledged !== undefined) {
            // Recorded: the payment holds what this callback says (or something newer).
            const payment = store.payments.get('o-1');
            expect(payment).toBeDefined();
            expect(payment?.transactions[s.transactionId]).toBeDefined();
            if (acknowledged.outcome === 'changed') expect(payment?.version).toBe(before.version + 1);
          } else {
            // Refused (503): both were down before the decision was saved.
            expect(queue.callbacks.length).toBe(before.queued);
          }
        }
      }),
      { numRuns: propertyRuns },
    );
  });
});
