import { describe, expect, it } from 'vitest';
import { parseApiResponse } from '../../shared/altapay/api-response';
import { agreementOf } from '../../shared/payments/agreement';
import { saveDecision } from '../../shared/payments/save-decision';
import { withCurrency } from '../../shared/worker/gateway-state';
import { readFixture } from '../support/gateway';
import { MemoryPaymentStore } from '../support/memory-store';

/** The payment the gateway's document leaves, recorded as the worker records the gateway's word. */
async function recorded(fixture: string) {
  const store = new MemoryPaymentStore();
  const transactions = parseApiResponse(readFixture(fixture)).transactions.map(withCurrency);
  const shopOrderId = transactions[0]?.shopOrderId ?? '';
  await saveDecision(
    { store },
    { callbackType: 'notification', shopOrderId, currency: 'DKK', transactions, source: 'gateway' },
    '2026-12-01T10:00:00.000Z',
  );
  const payment = await store.getPayment(shopOrderId);
  if (payment === undefined) throw new Error(`${fixture} recorded no payment`);
  return payment;
}

describe("an order's subscription agreement", () => {
  it('is active when the gateway holds it recurring_confirmed, beside its first reserved charge', async () => {
    expect(agreementOf(await recorded('callback-subscription-reserved.xml'))).toMatchObject({
      state: 'active',
    });
  });

  it('is released when the gateway released it with its first charge (subscriptionAndCharge)', async () => {
    expect(agreementOf(await recorded('callback-subscription-charged.xml'))).toEqual({
      transactionId: '70911230',
      state: 'released',
    });
  });

  it('failed when the card was declined while setting it up', async () => {
    expect(agreementOf(await recorded('callback-subscription-declined.xml'))).toMatchObject({
      state: 'failed',
    });
  });

  it('is absent on a one-off payment', async () => {
    expect(agreementOf(await recorded('callback-reserved.xml'))).toBeUndefined();
  });
});
