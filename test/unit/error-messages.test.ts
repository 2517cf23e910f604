import { describe, expect, it } from 'vitest';
import { parseApiResponse } from '../../shared/altapay/api-response';
import { encodeFormBody } from '../../shared/altapay/form-body';
import { recordCallback } from '../../shared/callbacks/record-callback';
import { applyCallback } from '../../shared/payments/apply-callback';
import { errorMessageMaxLength } from '../../shared/payments/error-messages';
import { callbackFields, transactionXml } from '../support/gateway';
import { MemoryPaymentStore, MemoryWorkQueue } from '../support/memory-store';

const silent = { info() {}, warn() {}, error() {} };
const at = '2026-11-22T10:00:00.000Z';

function setup() {
  const store = new MemoryPaymentStore();
  let id = 0;
  const deps = {
    store,
    queue: new MemoryWorkQueue(),
    clock: { now: () => new Date(at) },
    log: silent,
    newId: () => `id-${++id}`,
    callbackSecrets: [],
    queueWhenTableFails: true,
  };
  return { store, deps };
}

const declined = (shopOrderId: string, transactionId = '7001') =>
  transactionXml({ shopOrderId, transactionId, status: 'preauth_error', result: 'Failed' });
const body = (fields: Record<string, string>) => new TextEncoder().encode(encodeFormBody(fields));

describe("why a payment failed, in the gateway's words", () => {
  it("keeps the form's error_message and merchant_error_message when the xml has none", async () => {
    const { store, deps } = setup();
    const fields = callbackFields(declined('why-1'), {
      error_message: 'Card declined. Please try another card.',
      merchant_error_message: 'TestAcquirer: do not honour (05)',
    });

    await recordCallback(deps, 'fail', body(fields));

    expect(store.payments.get('why-1')?.transactions['7001']?.details).toMatchObject({
      customerErrorMessage: 'Card declined. Please try another card.',
      merchantErrorMessage: 'TestAcquirer: do not honour (05)',
    });
  });

  it(`keeps at most ${errorMessageMaxLength} characters of a message, and never a card number in it`, async () => {
    const { store, deps } = setup();
    const fields = callbackFields(declined('why-2'), {
      error_message: 'x'.repeat(900),
      merchant_error_message: 'Refused for card 4571 9900 0000 4512 by the issuer',
    });

    await recordCallback(deps, 'fail', body(fields));

    const details = store.payments.get('why-2')?.transactions['7001']?.details;
    expect(details?.customerErrorMessage).toHaveLength(errorMessageMaxLength);
    expect(details?.customerErrorMessage?.endsWith('…')).toBe(true);
    expect(details?.merchantErrorMessage).toBe('Refused for card [number removed] by the issuer');
  });

  it('gives the messages only to the transaction the callback names', async () => {
    const { store, deps } = setup();
    const two = declined('why-3', '7001').replace(
      '</Transactions>',
      `${/<Transaction>[\s\S]*<\/Transaction>/.exec(declined('why-3', '7002'))?.[0]}</Transactions>`,
    );
    const fields = callbackFields(two, { transaction_id: '7002', merchant_error_message: 'Do not honour' });

    await recordCallback(deps, 'fail', body(fields));

    const transactions = store.payments.get('why-3')?.transactions;
    expect(transactions?.['7001']?.details?.merchantErrorMessage).toBeUndefined();
    expect(transactions?.['7002']?.details?.merchantErrorMessage).toBe('Do not honour');
  });

  it("keeps them through the gateway's confirmation of the same state, and drops them once the state moves on", async () => {
    const { store, deps } = setup();
    await recordCallback(
      deps,
      'fail',
      body(callbackFields(declined('why-4'), { merchant_error_message: 'Do not honour' })),
    );
    const recorded = store.payments.get('why-4');
    const asked = (status: string, updated: string) =>
      parseApiResponse(transactionXml({ shopOrderId: 'why-4', transactionId: '7001', status, updated }))
        .transactions;
    const gatewayWord = (status: string, updated: string) => ({
      callbackType: 'notification' as const,
      shopOrderId: 'why-4',
      currency: 'DKK',
      transactions: asked(status, updated).map((t) => ({ ...t, currencyAlpha: 'DKK' })),
      source: 'gateway' as const,
    });

    const confirmed = applyCallback(recorded, gatewayWord('preauth_error', '2026-11-20 10:05:00'), at);
    const movedOn = applyCallback(recorded, gatewayWord('epayment_declined', '2026-11-20 10:05:00'), at);

    expect(confirmed.payment.transactions['7001']?.gatewayUpdatedDate).toBe('2026-11-20 10:05:00');
    expect(confirmed.payment.transactions['7001']?.details?.merchantErrorMessage).toBe('Do not honour');
    expect(movedOn.payment.transactions['7001']?.details?.merchantErrorMessage).toBeUndefined();
  });
});
