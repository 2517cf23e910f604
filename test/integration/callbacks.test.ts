import { describe, expect, it } from 'vitest';
import { callbackLogLimit } from '../../shared/payments/callback-log';
import type { PaymentView } from '../../shared/payments/payment-view';
import { useEmulators } from '../support/emulators';
import { callbackFields, readSample, readSamplePayload, transactionXml } from '../support/gateway';
import { useLocalApi } from '../support/local-api';

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

describe('every real callback document from the gateway SDKs', () => {
  const cases = [
    ['sdk-python__tests__xml__200_callback_single.xml', 'ok', 'reserved'],
    ['sdk-python__tests__xml__200_callback_multiple.xml', 'ok', 'reserved'],
    ['sdk-php__example__xml__CallbackXML_reservationAndCapture.xml', 'ok', 'captured'],
    ['sdk-php__example__xml__CallbackXML_subscriptionAndCharge_released.xml', 'ok', 'captured'],
    ['sdk-ruby__spec__support__fixtures__subscription_failure_callback.xml', 'ok', 'released'],
    ['sdk-php__test__unit__xml__CardHolderMessageMustBeShownTrue.xml', 'fail', 'failed'],
    ['sdk-ruby__spec__support__fixtures__failure_callback.xml', 'fail', 'failed'],
    [
      'sdk-csharp__AltaPayApi.Tests__Unit__MerchantApi_ParsePostBackXmlResponseTests.cs__inline_result_error_preauth_error.xml',
      'fail',
      'failed',
    ],
    [
      'sdk-csharp__AltaPayApi.Tests__Unit__MerchantApi_ParsePostBackXmlResponseTests.cs__inline_result_error_no_transactions.xml',
      'fail',
      'failed',
    ],
    ['sdk-php__example__xml__CallbackXML_MobilePayError.xml', 'fail', 'failed'],
    ['sdk-python__tests__xml__200_epayment_cancelled.xml', 'fail', 'cancelled'],
    [
      'sdk-csharp__AltaPayApi.Tests__Unit__MerchantApi_ParsePostBackXmlResponseTests.cs__inline_wallet_epayment_cancelled.xml',
      'fail',
      'cancelled',
    ],
    ['sdk-ruby__spec__support__fixtures__chargeback_callback.xml', 'notification', 'chargeback'],
    [
      'sdk-csharp__AltaPayApi__AltaPayApi.Tests__Unit__txt__ChargebackEvent.xml',
      'notification',
      'chargeback',
    ],
    // Result=Success, but the transaction never happened (empty id, zero amounts): not paid.
    ['sdk-php__test__unit__AltapayCallbackHandlerTest.php__inline_created_empty_tx.xml', 'ok', 'open'],
    ['api-php__tests__Api__Results__invoicereservation.xml', 'open', 'open'],
    ['sdk-python__tests__xml__200_create_invoice_reservation_complex.xml', 'open', 'open'],
  ] as const;

  it.each(cases)('%s posted to callback_%s lands as %s', async (sample, callbackType, status) => {
    const xml = readSample(sample);
    const fields = callbackFields(xml, {}, `no-tx-${sample.length}-${callbackType}`);

    const response = await api.postCallback(callbackType, fields);

    expect(response.status).toBe(200);
    const stored = await payment(fields.shop_orderid ?? '');
    expect(stored.status).toBe(status);
    const transactionIds = [...xml.matchAll(/<TransactionId>(\d+)<\/TransactionId>/g)].map((m) => m[1]);
    expect(stored.transactions.map((t) => t.transactionId).sort()).toEqual(transactionIds.sort());
    expect(stored.callbackLog.at(-1)?.callbackType).toBe(callbackType);
  });

  it('shows the card holder message on the fail page when the gateway says it must be shown', async () => {
    const fields = callbackFields(
      readSample('sdk-php__test__unit__xml__CardHolderMessageMustBeShownTrue.xml'),
    );

    const page = await (await api.postCallback('fail', fields)).text();

    expect(page).toContain('Card Declined');
    expect(page).not.toContain('TestAcquirer[pan=0466'); // merchant_error_message never reaches the customer
  });

  it('accepts the gateway SDK callback_ok payload as posted (success claim without transactions: not yet paid)', async () => {
    const fields = readSamplePayload(
      'loevgaard-altapay-php-sdk__tests__Callback__CallbackFactoryTest.php__testCreate3_ok_post_payload.json',
    );

    const response = await api.postCallback('ok', fields);

    expect(response.status).toBe(200);
    expect(await response.text()).toContain('being processed');
    expect((await payment('675455')).status).toBe('open');
  });

  it('refuses a payload whose xml describes another order than its form fields (400, nothing stored)', async () => {
    const fields = readSamplePayload('api-php__tests__Api__CallbackTest.php__post_payload.json');

    const response = await api.postCallback('fail', fields);

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'form_xml_mismatch' });
    expect((await api.getPayment('000000022')).status).toBe(404);
    expect((await api.getPayment('000000316')).status).toBe(404);
  });

  it('records that payload once its form fields are the ones its xml describes', async () => {
    const { xml = '' } = readSamplePayload('api-php__tests__Api__CallbackTest.php__post_payload.json');

    const response = await api.postCallback('fail', callbackFields(xml));

    expect(response.status).toBe(200);
    expect((await payment('000000316')).status).toBe('failed');
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
    expect((await payment('open-1')).status).toBe('open');
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

    expect(page).toContain('did not go through');
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
    expect((await payment('notify-1')).status).toBe('captured');
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
    expect(stored.status).toBe('reserved');
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
    expect(stored.status).toBe('reserved');
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
    expect(stored.status).toBe('captured');
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
    expect(stored.status).toBe('reserved');
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
    expect((await payment('notify-2')).status).toBe('open');
    await api.postCallback('notification', callbackFields(final));

    expect((await payment('notify-2')).status).toBe('reserved');
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
        message: `Field ${field} is required.`,
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

  it('answers 400 for an order id the gateway would never send', async () => {
    const response = await api.getPayment('<script>');

    expect(response.status).toBe(400);
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
