import { describe, expect, it } from 'vitest';
import { parseApiResponse } from '../../shared/altapay/api-response';
import type { CallbackType } from '../../shared/payments/payment';
import { holdsMoney } from '../../shared/payments/status-properties';
import { transactionPhase } from '../../shared/payments/transaction-phase';
import { transactionXml } from '../support/gateway';
import { readStatusFixture } from '../support/status-fixtures';

/** The phase of each transaction of a document, read as the callback path reads it. */
function phases(xml: string, callbackType: CallbackType) {
  const document = parseApiResponse(xml);
  return document.transactions.map((t) => transactionPhase(t, { callbackType, result: document.result }));
}

/** A callback document with one preauth transaction of order st-7. */
const preauth = (result: string, reserved = '0.00', authType = 'payment') =>
  transactionXml({
    shopOrderId: 'st-7',
    transactionId: '70300',
    status: 'preauth',
    result,
    reserved,
    authType,
  });

describe('a failure whose transaction still says preauth with nothing reserved', () => {
  it.each([
    ['result-error-preauth-zero.xml', 'fail'],
    ['result-error-preauth-zero.xml', 'ok'],
    ['result-error-preauth-zero.xml', 'notification'],
    ['result-failed-preauth-zero.xml', 'fail'],
    ['result-failed-preauth-zero.xml', 'ok'],
  ] as const)('%s in callback_%s is failed, not reserved', (fixture, callbackType) => {
    expect(phases(readStatusFixture(fixture), callbackType)).toEqual(['failed']);
  });

  it('counts a card check with nothing reserved as failed in callback_fail or with Result=Error/Failed', () => {
    expect(phases(preauth('Success', '0.00', 'verifyCard'), 'fail')).toEqual(['failed']);
    expect(phases(preauth('Error', '0.00', 'verifyCard'), 'ok')).toEqual(['failed']);
    expect(phases(preauth('Failed', '0.00', 'verifyCard'), 'notification')).toEqual(['failed']);
  });

  it('still counts money reserved in a failure as held: the reservation stands on the card', () => {
    const phasesOfFailure = phases(preauth('Error', '12.00'), 'fail');

    expect(phasesOfFailure).toEqual(['reserved']);
    expect(phasesOfFailure.every(holdsMoney)).toBe(true);
  });

  it('leaves a zero-amount preauth in a success reserved for a card check or a subscription agreement', () => {
    expect(phases(preauth('Success', '0.00', 'verifyCard'), 'ok')).toEqual(['reserved']);
    expect(phases(preauth('Success', '0.00', 'subscription'), 'notification')).toEqual(['reserved']);
  });

  it('counts a one-off payment with nothing reserved as failed even in a success: no money is held', () => {
    expect(phases(preauth('Success'), 'ok')).toEqual(['failed']);
    expect(phases(preauth('Success', '0.00', 'paymentAndCapture'), 'notification')).toEqual(['failed']);
  });
});

describe('where the gateway lists transactions', () => {
  it('finds the transactions of every action of a multi-payment answer', () => {
    const document = parseApiResponse(readStatusFixture('multi-payment-actions.xml'));

    expect(document.transactions).toMatchObject([
      { transactionId: '70201', shopOrderId: 'st-multi-1', reservedAmount: '40.00', currencyNumeric: '978' },
      { transactionId: '70202', shopOrderId: 'st-multi-1', reservedAmount: '25.50', currencyNumeric: '978' },
    ]);
    expect(phases(readStatusFixture('multi-payment-actions.xml'), 'ok')).toEqual(['reserved', 'reserved']);
  });

  it('finds the transactions of Body/Transactions as before', () => {
    expect(parseApiResponse(readStatusFixture('result-error-preauth-zero.xml')).transactions).toMatchObject([
      { transactionId: '70114', transactionStatus: 'preauth', reservedAmount: '0.00' },
    ]);
  });

  it('reads empty actions as no transactions', () => {
    const xml = `<?xml version="1.0"?>
<APIResponse version="20170228"><Header><Date>2026-11-24T16:00:00+01:00</Date><Path>API/payments</Path><ErrorCode>0</ErrorCode><ErrorMessage/></Header>
<Body><Result>Success</Result><Actions/></Body></APIResponse>`;

    expect(parseApiResponse(xml).transactions).toEqual([]);
    expect(
      parseApiResponse(
        xml.replace('<Actions/>', '<Actions><Action><Result>Success</Result></Action></Actions>'),
      ).transactions,
    ).toEqual([]);
  });

  it('refuses more than 100 transactions in all, however they are spread over actions (400)', () => {
    const transaction = (id: number) =>
      `<Transaction><TransactionId>${id}</TransactionId><ShopOrderId>o</ShopOrderId><TransactionStatus>preauth</TransactionStatus><MerchantCurrency>208</MerchantCurrency><ReservedAmount>1.00</ReservedAmount></Transaction>`;
    const action = (from: number) =>
      `<Action><Transactions>${Array.from({ length: 60 }, (_, i) => transaction(from + i)).join('')}</Transactions></Action>`;
    const xml = `<APIResponse><Header><ErrorCode>0</ErrorCode></Header><Body><Actions>${action(1)}${action(100)}</Actions></Body></APIResponse>`;

    expect(() => parseApiResponse(xml)).toThrowError(
      expect.objectContaining({
        status: 400,
        message: expect.stringContaining('must hold at most 100 transactions in all'),
      }),
    );
  });
});
