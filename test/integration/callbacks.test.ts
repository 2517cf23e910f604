import { describe, expect, it } from 'vitest';
import { callbackLogLimit } from '../../shared/payments/callback-log';
import type { PaymentView } from '../../shared/payments/payment-view';
import { claimedStatus } from '../support/claimed-status';
import { useEmulators } from '../support/emulators';
import { callbackFields, readFixture, readFormFields, transactionXml } from '../support/gateway';
import { useLocalApi } from '../support/local-api';
import { readStatusFixture } from '../support/status-fixtures';

/**
 * The callback endpoints as the gateway sees them: real HTTP into the same Lambda handlers and
 * adapter that `npm start` runs, DynamoDB in dynalite and SQS in local-aws-sqs. No shared secret here
 * (see callback-checksum.test.ts for that).
 */
const stack = useEmulators();
const api = useLocalApi(stack, { MERCHANT_NAME: 'Acme Shop' });

async function payment(shopOrderId: string): Promise<PaymentView> {
  const response = await api.getPayment(shopOrderId);
  expect(response.status).toBe(200);
  return (await response.json()) as PaymentView;
}

describe('every callback document shape the gateway posts', () => {
  const cases = [
    ['callback-reserved.xml', 'ok', 'reserved'],
    ['callback-subscription-reserved.xml', 'ok', 'reserved'],
    ['callback-captured.xml', 'ok', 'captured'],
    ['callback-subscription-charged.xml', 'ok', 'captured'],
    ['callback-subscription-charge-failed.xml', 'ok', 'released'],
    ['callback-declined-message-must-be-shown.xml', 'fail', 'failed'],
    ['callback-subscription-declined.xml', 'fail', 'failed'],
    ['callback-preauth-error.xml', 'fail', 'failed'],
    ['callback-error-without-transactions.xml', 'fail', 'failed'],
    ['callback-mobilepay-error.xml', 'fail', 'failed'],
    ['callback-epayment-cancelled.xml', 'fail', 'cancelled'],
    ['callback-mobilepay-cancelled.xml', 'fail', 'cancelled'],
    ['callback-chargeback.xml', 'notification', 'chargeback'],
    ['callback-chargeback-with-bom.xml', 'notification', 'chargeback'],
    // Result=Success, but the transaction never happened (empty id, zero amounts): not paid.
    ['callback-success-without-payment.xml', 'ok', 'open'],
    ['callback-invoice-reservation.xml', 'open', 'open'],
    ['callback-invoice-awaiting-credit-check.xml', 'open', 'open'],
    // An open bank payment that concludes later is paid once the notification says so.
    ['callback-bank-payment-finalized.xml', 'notification', 'captured'],
  ] as const;

  it.each(cases)('%s posted to callback_%s lands as %s', async (fixture, callbackType, status) => {
    const xml = readFixture(fixture);
    const fields = callbackFields(xml, {}, `no-tx-${fixture.length}-${callbackType}`);

    const response = await api.postCallback(callbackType, fields);

    expect(response.status).toBe(200);
    const stored = await payment(fields.shop_orderid ?? '');
    expect(claimedStatus(stored)).toBe(status);
    const transactionIds = [...xml.matchAll(/<TransactionId>(\d+)<\/TransactionId>/g)].map((m) => m[1]);
    expect(stored.transactions.map((t) => t.transactionId).sort()).toEqual(transactionIds.sort());
    expect(stored.callbackLog.at(-1)?.callbackType).toBe(callbackType);
  });

  it('shows the card holder message on the fail page when the gateway says it must be shown', async () => {
    const fields = callbackFields(readFixture('callback-declined-message-must-be-shown.xml'));

    const page = await (await api.postCallback('fail', fields)).text();

    expect(page).toContain('Your card has expired. Please use another card.');
    expect(page).not.toContain('issuer code 54'); // merchant_error_message never reaches the customer
  });

  it("keeps why it failed on the transaction, the gateway's words for the customer and the merchant and the reason code, and GET /payments shows them", async () => {
    const xml = readFixture('callback-declined-message-must-be-shown.xml');
    // The gateway posts the messages as form fields too; the xml's win when both are there.
    const fields = callbackFields(xml, {
      shop_orderid: 'why-declined',
      error_message: 'Your card has expired. Please use another card.',
      merchant_error_message: 'Acquirer refused: issuer code 54 (expired card)',
    });

    await api.postCallback('fail', { ...fields, xml: xml.replace(/106d4b9f-[0-9a-f-]+/, 'why-declined') });
    const stored = await payment('why-declined');

    // No worker runs here: the decline is the callback's claim until the gateway confirms it.
    expect(claimedStatus(stored)).toBe('failed');
    expect(stored.transactions).toEqual([
      expect.objectContaining({
        transactionId: '70402217',
        gatewayStatus: '3dsecure_failed',
        reasonCode: 'NONE',
        customerErrorMessage: 'Your card has expired. Please use another card.',
        merchantErrorMessage: 'Acquirer refused: issuer code 54 (expired card) [auth 3DS-FAIL-7731]',
      }),
    ]);
    // Never card data: the masked number as before, no token, expiry or full number.
    const text = JSON.stringify(stored);
    expect(text).not.toMatch(/92c34af633c0|CreditCardToken|2026-05|4000050000000001/);
  });

  it('accepts a callback_ok form as posted (success claim without transactions: not yet paid)', async () => {
    const fields = readFormFields('form-ok-success-without-transactions.json');

    const response = await api.postCallback('ok', fields);

    expect(response.status).toBe(200);
    expect(await response.text()).toContain('being processed');
    expect(claimedStatus(await payment('52817'))).toBe('open');
  });

  it('refuses a form whose xml describes another order than its form fields (400, nothing stored)', async () => {
    const fields = readFormFields('form-fail-xml-for-another-order.json');

    const response = await api.postCallback('fail', fields);

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'form_xml_mismatch' });
    expect((await api.getPayment('000000519')).status).toBe(404);
    expect((await api.getPayment('000000733')).status).toBe(404);
  });

  it('records that form once its form fields are the ones its xml describes', async () => {
    const { xml = '' } = readFormFields('form-fail-xml-for-another-order.json');

    const response = await api.postCallback('fail', callbackFields(xml));

    expect(response.status).toBe(200);
    expect(claimedStatus(await payment('000000733'))).toBe('failed');
  });
});

describe('answers', () => {
  it('callback_ok answers a receipt page with the order and the amount, escaped, without scripts', async () => {
    const fields = callbackFields(
      transactionXml({
        shopOrderId: 'receipt-1',
        transactionId: '5001',
        status: 'preauth',
        reserved: '249.50',
      }),
    );

    const response = await api.postCallback('ok', fields);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const page = await response.text();
    expect(page).toContain('receipt-1');
    expect(page).toContain('249.50 DKK');
    expect(page).toContain('Acme Shop');
    expect(page).not.toMatch(/<script/i);
  });

  it('callback_open answers a pending page and does not count the payment as paid', async () => {
    const fields = callbackFields(
      transactionXml({ shopOrderId: 'open-1', transactionId: '5002', status: 'preauth', reserved: '10.00' }),
    );

    const page = await (await api.postCallback('open', fields)).text();

    expect(page).toContain('being processed');
    expect(claimedStatus(await payment('open-1'))).toBe('open');
  });

  it('callback_fail shows a generic text when the gateway does not require its message', async () => {
    const xml = transactionXml({
      shopOrderId: 'fail-1',
      transactionId: '5003',
      status: 'preauth_error',
      result: 'Failed',
    });
    const fields = callbackFields(xml, {
      error_message: 'Insufficient funds',
      cardholder_message_must_be_shown: 'false',
    });

    const page = await (await api.postCallback('fail', fields)).text();

    expect(page).toContain('Your payment was declined');
    expect(page).not.toContain('Insufficient funds');
  });

  it('callback_fail shows error_message when cardholder_message_must_be_shown is true', async () => {
    const xml = transactionXml({
      shopOrderId: 'fail-2',
      transactionId: '5004',
      status: 'preauth_error',
      result: 'Failed',
    });
    const fields = callbackFields(xml, {
      error_message: 'Card expired <b>please</b>',
      cardholder_message_must_be_shown: 'true',
    });

    const page = await (await api.postCallback('fail', fields)).text();

    expect(page).toContain('Card expired &lt;b&gt;please&lt;/b&gt;');
  });

  it('callback_notification answers a bare 200 OK', async () => {
    const fields = callbackFields(
      transactionXml({
        shopOrderId: 'notify-1',
        transactionId: '5005',
        status: 'captured',
        captured: '5.00',
        reserved: '5.00',
      }),
    );

    const response = await api.postCallback('notification', fields);

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('OK');
    expect(claimedStatus(await payment('notify-1'))).toBe('captured');
  });
});

describe('idempotency and order', () => {
  it('answers the same callback posted 50 times at once with 50 successes, one payment item, one change and one queued message', async () => {
    await api.queuedWork(); // start from an empty queue
    const fields = callbackFields(
      transactionXml({ shopOrderId: 'burst-1', transactionId: '6001', status: 'preauth', reserved: '99.95' }),
    );

    const responses = await Promise.all(Array.from({ length: 50 }, () => api.postCallback('ok', fields)));

    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    const items = (await api.tableItems()).filter((item) => item.shopOrderId === 'burst-1');
    expect(items.map((item) => item.recordKey)).toEqual(['payment']);
    const work = (await api.queuedWork()).filter((message) => message.shopOrderId === 'burst-1');
    expect(work).toHaveLength(1);
    const stored = await payment('burst-1');
    expect(stored.callbackLog).toHaveLength(50);
    expect(stored.callbackLog.filter((e) => !e.duplicate)).toHaveLength(1);
    expect(claimedStatus(stored)).toBe('reserved');
    expect(stored.transactions.map((t) => t.transactionId)).toEqual(['6001']);
  });

  it('logs every callback of an order up to the limit, then counts the ones that change nothing', async () => {
    const fields = callbackFields(
      transactionXml({
        shopOrderId: 'chatty-1',
        transactionId: '6101',
        status: 'preauth',
        reserved: '10.00',
      }),
    );
    for (let i = 0; i < callbackLogLimit + 5; i++) {
      expect((await api.postCallback('ok', fields)).status).toBe(200);
    }
    const fail = callbackFields(
      transactionXml({
        shopOrderId: 'chatty-1',
        transactionId: '6102',
        status: 'epayment_declined',
        reserved: '0',
      }),
    );
    expect((await api.postCallback('fail', fail)).status).toBe(200);

    const stored = await payment('chatty-1');
    // A change is always logged, even on a full log: the log never loses why the payment moved.
    expect(stored.callbackLog).toHaveLength(callbackLogLimit + 1);
    expect(stored.callbackLog.map((e) => e.outcome).filter((o) => o === 'changed')).toHaveLength(2);
    expect(stored.callbacksNotLogged).toBe(5);
  });

  it('keeps a payment reserved when a late fail arrives for the same transaction', async () => {
    const ok = transactionXml({
      shopOrderId: 'late-fail-1',
      transactionId: '6002',
      status: 'preauth',
      reserved: '20.00',
      updated: '2026-11-20 10:00:00',
    });
    const fail = transactionXml({
      shopOrderId: 'late-fail-1',
      transactionId: '6002',
      status: '3dsecure_failed',
      result: 'Failed',
      updated: '2026-11-20 10:05:00',
    });

    await api.postCallback('ok', callbackFields(ok));
    const response = await api.postCallback('fail', callbackFields(fail));

    expect(response.status).toBe(200);
    expect(await response.text()).toContain('already paid');
    const stored = await payment('late-fail-1');
    expect(claimedStatus(stored)).toBe('reserved');
    expect(stored.transactions[0]?.gatewayStatus).toBe('preauth');
  });

  it('keeps a captured payment captured when an older reservation callback arrives after it', async () => {
    const reserved = transactionXml({
      shopOrderId: 'reorder-1',
      transactionId: '6003',
      status: 'preauth',
      reserved: '20.00',
      updated: '2026-11-20 10:00:00',
    });
    const captured = transactionXml({
      shopOrderId: 'reorder-1',
      transactionId: '6003',
      status: 'captured',
      reserved: '20.00',
      captured: '20.00',
      updated: '2026-11-20 10:01:00',
    });

    await api.postCallback('notification', callbackFields(captured));
    await api.postCallback('ok', callbackFields(reserved));

    const stored = await payment('reorder-1');
    expect(claimedStatus(stored)).toBe('captured');
    expect(stored.callbackLog.map((e) => e.duplicate)).toEqual([false, true]);
  });

  it('records and flags a second successful payment for an order that is already paid', async () => {
    const first = transactionXml({
      shopOrderId: 'twice-1',
      transactionId: '6004',
      status: 'preauth',
      reserved: '15.00',
    });
    const second = transactionXml({
      shopOrderId: 'twice-1',
      transactionId: '6005',
      status: 'preauth',
      reserved: '15.00',
    });

    await api.postCallback('ok', callbackFields(first));
    await api.postCallback('ok', callbackFields(second));

    const stored = await payment('twice-1');
    expect(claimedStatus(stored)).toBe('reserved');
    expect(stored.flags).toEqual(['second-successful-payment']);
    expect(stored.transactions.map((t) => [t.transactionId, t.flag])).toEqual([
      ['6004', undefined],
      ['6005', 'second-successful-payment'],
    ]);
  });

  it('moves an open payment on when its notification arrives', async () => {
    const pending = transactionXml({
      shopOrderId: 'notify-2',
      transactionId: '6006',
      status: 'invoice_initialized',
      result: 'Open',
    });
    const final = transactionXml({
      shopOrderId: 'notify-2',
      transactionId: '6006',
      status: 'preauth',
      reserved: '42.00',
      updated: '2026-11-20 11:00:00',
    });

    await api.postCallback('open', callbackFields(pending));
    expect(claimedStatus(await payment('notify-2'))).toBe('open');
    await api.postCallback('notification', callbackFields(final));

    expect(claimedStatus(await payment('notify-2'))).toBe('reserved');
  });
});

describe('documents whose status the gateway words ambiguously', () => {
  it.each([
    ['result-error-preauth-zero.xml', 'st-error-0'],
    ['result-failed-preauth-zero.xml', 'st-failed-0'],
  ])('%s posted to callback_fail leaves the order not paid and shows a failure', async (fixture, order) => {
    const fields = callbackFields(readStatusFixture(fixture), { cardholder_message_must_be_shown: 'true' });

    const response = await api.postCallback('fail', fields);

    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('Your payment was declined');
    expect(page).not.toContain('already paid');
    const stored = await payment(order);
    expect(claimedStatus(stored)).toBe('failed');
    expect(stored.transactions).toMatchObject([{ gatewayStatus: 'preauth', reservedAmount: '0.00' }]);
  });

  it('records every payment of a multi-payment answer listed under Body/Actions', async () => {
    const response = await api.postCallback(
      'ok',
      callbackFields(readStatusFixture('multi-payment-actions.xml')),
    );

    expect(response.status).toBe(200);
    const stored = await payment('st-multi-1');
    expect(claimedStatus(stored)).toBe('reserved');
    expect(stored.transactions.map((t) => [t.transactionId, t.reservedAmount]).sort()).toEqual([
      ['70201', '40.00'],
      ['70202', '25.50'],
    ]);
  });
});

describe('incomplete callbacks', () => {
  it.each(['shop_orderid', 'amount', 'currency', 'xml'])(
    'refuses a callback without %s with a 400 naming it, storing nothing',
    async (field) => {
      const xml = transactionXml({
        shopOrderId: 'missing-1',
        transactionId: '6100',
        status: 'preauth',
        reserved: '1.00',
      });
      const { [field]: _, ...fields } = callbackFields(xml);

      const response = await api.postCallback('ok', fields);

      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: 'missing_field',
        message: expect.stringMatching(new RegExp(`^Field ${field} is required and must [a-z]`)),
      });
      expect((await api.tableItems()).filter((item) => item.shopOrderId === 'missing-1')).toEqual([]);
    },
  );
});

describe('the status API', () => {
  it('answers 404 for an unknown order', async () => {
    const response = await api.getPayment('never-seen');

    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not_found' });
  });

  it('answers 400 for an order id the gateway would never send, saying what one looks like', async () => {
    const response = await api.getPayment('<script>');

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'invalid_field',
      message:
        'Path parameter shopOrderId must be 1 to 100 letters, digits, spaces or _ . : -, starting with a letter, digit or _.',
    });
  });

  it('shows amounts as exact decimal strings and the gateway status verbatim', async () => {
    const xml = transactionXml({
      shopOrderId: 'exact-1',
      transactionId: '6007',
      status: 'captured',
      reserved: '0.10',
      captured: '0.10',
    });
    await api.postCallback('ok', callbackFields(xml));

    const stored = await payment('exact-1');

    expect(stored.transactions[0]).toMatchObject({
      gatewayStatus: 'captured',
      reservedAmount: '0.10',
      capturedAmount: '0.10',
    });
  });
});
