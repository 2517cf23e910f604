import { describe, expect, it } from 'vitest';
import { parseApiResponse } from '../../shared/altapay/api-response';
import { ConflictError, MalformedRequestError } from '../../shared/errors';
import { parseOperationBody } from '../../shared/operations/operation-request';
import { runOperation } from '../../shared/operations/run-operation';
import { agreementOf } from '../../shared/payments/agreement';
import { saveDecision } from '../../shared/payments/save-decision';
import { withCurrency } from '../../shared/worker/gateway-state';
import { transactionXml } from '../support/gateway';
import { MemoryGateway } from '../support/memory-gateway';
import { MemoryPaymentStore, MemoryWorkQueue } from '../support/memory-store';

const silent = { info() {}, warn() {}, error() {} };
const encode = (text: string) => new TextEncoder().encode(text);

/** The use case on the in-memory store and gateway, with an agreement recorded as the worker records it. */
function setUp() {
  const store = new MemoryPaymentStore();
  const gateway = new MemoryGateway();
  const queue = new MemoryWorkQueue();
  const clock = { now: () => new Date('2026-12-01T10:00:00.000Z') };
  const deps = { store, gateway, queue, log: silent, clock };
  const record = async (order: string, xml: string) => {
    const transactions = parseApiResponse(xml).transactions.map(withCurrency);
    await saveDecision(
      { store },
      { callbackType: 'notification', shopOrderId: order, currency: 'DKK', transactions, source: 'gateway' },
      clock.now().toISOString(),
    );
  };
  /** A subscription agreement at the gateway, recorded on the order; its transaction id. */
  const agreed = async (order: string): Promise<string> => {
    const agreementId = gateway.agree(order);
    const [agreement] = await gateway.transactions(agreementId);
    if (agreement === undefined) throw new Error('no agreement');
    await saveDecision(
      { store },
      {
        callbackType: 'notification',
        shopOrderId: order,
        currency: 'DKK',
        transactions: [withCurrency(agreement)],
        source: 'gateway',
      },
      clock.now().toISOString(),
    );
    gateway.calls.length = 0;
    return agreementId;
  };
  const charge = (order: string, key: string, amount: string, reserveOnly?: boolean) =>
    runOperation(deps, {
      kind: 'charge',
      shopOrderId: order,
      idempotencyKey: key,
      body: { amount, ...(reserveOnly === undefined ? {} : { reserveOnly }) },
      requestedBy: 'local',
    });
  const charges = () => gateway.calls.filter((c) => c.method === 'chargeSubscription');
  return { store, gateway, queue, record, agreed, charge, charges };
}

describe('a charge on a subscription agreement', () => {
  it('charges the active agreement: a new transaction of the order, not flagged, and one work carrying the charge', async () => {
    const { store, queue, agreed, charge, charges } = setUp();
    const agreementId = await agreed('s-1');

    const done = await charge('s-1', 'k-1', '49.00');

    const chargeId = done.record.chargedTransactionId;
    expect(done.record).toMatchObject({
      kind: 'charge',
      transactionId: agreementId,
      amount: '49.00',
      state: 'done',
      transactionsBefore: [agreementId],
      paymentAfter: { status: 'captured', capturedAmount: '49.00' },
    });
    expect(chargeId).toBeDefined();
    expect(chargeId).not.toBe(agreementId);
    expect(charges()).toEqual([
      { method: 'chargeSubscription', transactionId: agreementId, amount: '49.00' },
    ]);
    const payment = await store.getPayment('s-1');
    expect(payment?.flags).toEqual([]);
    expect(payment?.transactions[chargeId ?? '']).toMatchObject({
      authType: 'subscription_payment',
      phase: 'captured',
    });
    expect(payment === undefined ? undefined : agreementOf(payment)).toEqual({
      transactionId: agreementId,
      state: 'active',
    });
    expect(queue.sent.at(-1)?.operation).toEqual({
      kind: 'charge',
      amount: '49.00',
      partial: false,
      idempotencyKey: 'k-1',
    });
  });

  it('reserves only when asked (reserveSubscriptionCharge): the charge holds the money for a capture later', async () => {
    const { store, agreed, charge } = setUp();
    await agreed('s-2');
    const done = await charge('s-2', 'k-1', '20.00', true);
    const payment = await store.getPayment('s-2');
    expect(payment?.transactions[done.record.chargedTransactionId ?? '']).toMatchObject({
      phase: 'reserved',
      reservedAmount: '20.00',
      capturedAmount: '0.00',
    });
  });

  it("after a lost answer looks among the order's transactions: done when the charge is there, never charged twice", async () => {
    const { gateway, agreed, charge, charges, queue } = setUp();
    await agreed('s-3');
    gateway.loseNextAnswer('chargeSubscription');
    gateway.failNext('payments');
    const lost = await charge('s-3', 'k-1', '49.00');
    expect(lost).toMatchObject({ outcome: 'unknown', record: { state: 'unknown' } });

    const retried = await charge('s-3', 'k-1', '49.00');

    expect(retried.record).toMatchObject({
      state: 'done',
      detail: 'the answer was lost; the gateway shows it happened',
      paymentAfter: { capturedAmount: '49.00' },
    });
    expect(charges()).toHaveLength(1);
    expect(queue.sent.filter((w) => w.operation?.kind === 'charge')).toHaveLength(1);
  });

  it('refuses with 409 an order without an agreement, and one whose agreement failed', async () => {
    const { gateway, record, charge, charges } = setUp();
    await record(
      's-4',
      transactionXml({ shopOrderId: 's-4', transactionId: '1', status: 'preauth', reserved: '49.00' }),
    );
    await expect(charge('s-4', 'k-1', '49.00')).rejects.toThrow(ConflictError);
    await expect(charge('s-4', 'k-1', '49.00')).rejects.toMatchObject({ code: 'no_active_agreement' });

    await record(
      's-5',
      transactionXml({
        shopOrderId: 's-5',
        transactionId: '2',
        status: 'recurring_failed',
        authType: 'subscription',
      }),
    );
    await expect(charge('s-5', 'k-1', '49.00')).rejects.toThrow(
      'Order s-5 has no active subscription agreement to charge: agreement 2 is failed.',
    );
    expect(charges()).toEqual([]);
    expect(gateway.calls).toEqual([]);
  });

  it('needs an amount, and reserveOnly is true or false', () => {
    expect(() => parseOperationBody('charge', encode('{}'))).toThrow(MalformedRequestError);
    expect(() => parseOperationBody('charge', encode('{"amount": "49.00", "reserveOnly": "yes"}'))).toThrow(
      /reserveOnly must be true or false/,
    );
    expect(parseOperationBody('charge', encode('{"amount": "49.00", "reserveOnly": true}'))).toEqual({
      amount: '49.00',
      reserveOnly: true,
    });
  });
});
