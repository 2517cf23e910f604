import { describe, expect, it } from 'vitest';
import { answerCallback } from '../../shared/callbacks/callback-answer';
import type { RecordedCallback } from '../../shared/callbacks/record-callback';
import type { Payment, PaymentStatus } from '../../shared/payments/payment';

function recorded(status: PaymentStatus, cardholderMessage?: string, language?: string): RecordedCallback {
  const payment: Payment = {
    shopOrderId: 'order 7',
    ...(language
      ? {
          request: {
            paymentRequestId: 'pr-1',
            url: 'https://gateway.example/pay?pid=pr-1',
            amount: '49.95',
            currency: 'DKK',
            language,
            createdAt: '2026-11-20T09:00:00.000Z',
          },
        }
      : {}),
    status,
    currency: 'DKK',
    transactions: {
      '1': {
        transactionId: '1',
        gatewayStatus: 'preauth',
        phase: status,
        currency: 'DKK',
        reservedAmount: '49.95',
        capturedAmount: '0.00',
        refundedAmount: '0.00',
        chargebacks: 0,
        gatewayUpdatedDate: '2026-11-20 10:00:00',
        updatedAt: '2026-11-20T09:00:00.000Z',
      },
    },
    flags: [],
    version: 1,
    createdAt: '2026-11-20T09:00:00.000Z',
    updatedAt: '2026-11-20T09:00:00.000Z',
  };
  return { outcome: 'changed', payment, ...(cardholderMessage ? { cardholderMessage } : {}) };
}

const settings = { merchantName: 'Acme' };

describe('answering the gateway', () => {
  it('shows a receipt with the paid amount for a paid ok', () => {
    expect(answerCallback('ok', recorded('reserved'), settings)).toEqual({
      kind: 'page',
      page: {
        kind: 'paid',
        language: 'en',
        shopOrderId: 'order 7',
        merchantName: 'Acme',
        amount: '49.95',
        currency: 'DKK',
      },
    });
  });

  it('redirects a callback_ok to the shop receipt URL with only our order id, keeping its own query', () => {
    const answer = answerCallback('ok', recorded('reserved'), {
      ...settings,
      shopReceiptUrl: new URL('https://shop.example/thanks?lang=da'),
    });

    expect(answer).toEqual({
      kind: 'redirect',
      location: 'https://shop.example/thanks?lang=da&shopOrderId=order+7',
    });
  });

  it('does not redirect fail or open callbacks', () => {
    const withUrl = { ...settings, shopReceiptUrl: new URL('https://shop.example/thanks') };

    expect(answerCallback('fail', recorded('failed'), withUrl).kind).toBe('page');
    expect(answerCallback('open', recorded('open'), withUrl).kind).toBe('page');
  });

  it('shows a pending page for an ok that is not paid yet, and a failure page for one that failed', () => {
    expect(answerCallback('ok', recorded('open'), settings)).toMatchObject({ page: { kind: 'pending' } });
    expect(answerCallback('ok', recorded('failed'), settings)).toMatchObject({ page: { kind: 'failed' } });
  });

  it.each<[PaymentStatus, string, string]>([
    ['created', 'pending', 'failed'],
    ['open', 'pending', 'failed'],
    ['reserved', 'paid', 'already-paid'],
    ['captured', 'paid', 'already-paid'],
    ['failed', 'failed', 'failed'],
    // The customer pressed Cancel: not told the payment was declined.
    ['cancelled', 'cancelled', 'cancelled'],
    ['released', 'closed', 'closed'],
    ['refunded', 'closed', 'closed'],
    ['chargeback', 'closed', 'closed'],
  ])('shows an order recorded as %s a %s page on ok and a %s page on fail', (status, onOk, onFail) => {
    expect(answerCallback('ok', recorded(status), settings)).toMatchObject({ page: { kind: onOk } });
    expect(answerCallback('fail', recorded(status), settings)).toMatchObject({ page: { kind: onFail } });
  });

  it('reassures the customer when a fail arrives for a paid order', () => {
    expect(answerCallback('fail', recorded('captured', 'Declined'), settings)).toMatchObject({
      page: { kind: 'already-paid' },
    });
  });

  it('shows the gateway message only on a failure page', () => {
    expect(answerCallback('fail', recorded('failed', 'Card expired'), settings)).toMatchObject({
      page: { kind: 'failed', cardholderMessage: 'Card expired' },
    });
    expect(answerCallback('ok', recorded('reserved', 'Card expired'), settings)).not.toHaveProperty(
      'page.cardholderMessage',
    );
  });

  it('speaks the language the payment was requested in, English when none or one we do not write', () => {
    expect(answerCallback('fail', recorded('failed', undefined, 'da'), settings)).toMatchObject({
      page: { language: 'da' },
    });
    expect(answerCallback('ok', recorded('reserved', undefined, 'no'), settings)).toMatchObject({
      page: { language: 'nb' },
    });
    expect(answerCallback('ok', recorded('reserved', undefined, 'pl'), settings)).toMatchObject({
      page: { language: 'en' },
    });
    expect(answerCallback('ok', recorded('reserved'), settings)).toMatchObject({ page: { language: 'en' } });
  });

  it('links every page to the shop, and a failed or cancelled one to the checkout with the order id', () => {
    const links = {
      ...settings,
      shopUrl: new URL('https://shop.example/'),
      shopCheckoutUrl: new URL('https://shop.example/checkout?step=pay'),
    };
    expect(answerCallback('fail', recorded('cancelled'), links)).toMatchObject({
      page: {
        kind: 'cancelled',
        shopUrl: 'https://shop.example/',
        tryAgainUrl: 'https://shop.example/checkout?step=pay&shopOrderId=order+7',
      },
    });
    const shopOnly = { ...settings, shopUrl: new URL('https://shop.example/') };
    expect(answerCallback('fail', recorded('failed'), shopOnly)).toMatchObject({
      page: { tryAgainUrl: 'https://shop.example/?shopOrderId=order+7' },
    });
  });

  it('answers a notification with a bare OK', () => {
    expect(answerCallback('notification', recorded('captured'), settings)).toEqual({
      kind: 'text',
      text: 'OK',
    });
  });
});
