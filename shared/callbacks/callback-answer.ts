import { type CallbackPageKind, type CallbackPageModel, chooseLanguage } from '../pages';
import { type CallbackType, claimedStatusOf, type PaymentStatus } from '../payments/payment';
import { cancelledByCustomer, holdsMoney, isFinal, returnedMoney } from '../payments/status-properties';
import type { RecordedCallback } from './record-callback';

/** How we answer the gateway; the HTTP adapter renders it. */
export type CallbackAnswer =
  | { readonly kind: 'page'; readonly page: CallbackPageModel }
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'text'; readonly text: string };

export interface AnswerSettings {
  readonly merchantName: string;
  /** When set, callback_ok answers 303 to this URL with `shopOrderId` added instead of our receipt. */
  readonly shopReceiptUrl?: URL;
  /** The shop's page every page links back to (SHOP_URL). */
  readonly shopUrl?: URL;
  /** Where a failed or cancelled payment is tried again (SHOP_CHECKOUT_URL, else SHOP_URL). */
  readonly shopCheckoutUrl?: URL;
}

/**
 * Chooses the answer from what we RECORDED, not from which endpoint was called: an ok whose
 * transaction turned out unpaid does not show a receipt, and a late fail on a paid order reassures.
 * The notification's body is ignored by the gateway: a bare OK.
 */
export function answerCallback(
  callbackType: CallbackType,
  recorded: RecordedCallback,
  settings: AnswerSettings,
): CallbackAnswer {
  if (callbackType === 'notification') return { kind: 'text', text: 'OK' };
  const { payment } = recorded;
  if (callbackType === 'ok' && settings.shopReceiptUrl) {
    return { kind: 'redirect', location: withOrderId(settings.shopReceiptUrl, payment.shopOrderId) };
  }
  // Recorded later by the worker: promise nothing we have not recorded.
  const kind: CallbackPageKind =
    recorded.outcome === 'queued'
      ? callbackType === 'fail'
        ? failedKind(claimedStatusOf(payment))
        : 'pending'
      : // What the callback claims: the gateway shows the customer the same outcome synchronously, so
        // the page says it at once; the worker confirms it before anything else counts it.
        pageKind(callbackType, claimedStatusOf(payment));
  // The amount the customer paid, verbatim: that of the (first) paid transaction.
  const paid = Object.values(payment.transactions).find((t) => holdsMoney(t.phase));
  const tryAgain = settings.shopCheckoutUrl ?? settings.shopUrl;
  const page: CallbackPageModel = {
    kind,
    language: chooseLanguage(payment.request?.language),
    shopOrderId: payment.shopOrderId,
    merchantName: settings.merchantName,
    ...(settings.shopUrl ? { shopUrl: settings.shopUrl.toString() } : {}),
    ...(tryAgain ? { tryAgainUrl: withOrderId(tryAgain, payment.shopOrderId) } : {}),
    ...(paid && kind !== 'failed' ? { amount: paid.reservedAmount, currency: paid.currency } : {}),
    ...(kind === 'failed' && recorded.cardholderMessage
      ? { cardholderMessage: recorded.cardholderMessage }
      : {}),
  };
  return { kind: 'page', page };
}

/** The page for the recorded status; an order whose money went back is closed, as create-payment says too. */
function pageKind(callbackType: CallbackType, status: PaymentStatus): CallbackPageKind {
  if (holdsMoney(status)) return callbackType === 'fail' ? 'already-paid' : 'paid';
  if (!isFinal(status)) return callbackType === 'fail' ? failedKind(status) : 'pending';
  return returnedMoney(status) ? 'closed' : failedKind(status);
}

/** A customer who pressed Cancel is not told their payment was declined. */
function failedKind(status: PaymentStatus): CallbackPageKind {
  return cancelledByCustomer(status) ? 'cancelled' : 'failed';
}

/** The shop's URL with our order id added: no amounts, statuses or gateway ids for the shop to trust from a URL. */
function withOrderId(url: URL, shopOrderId: string): string {
  const location = new URL(url);
  location.searchParams.set('shopOrderId', shopOrderId);
  return location.toString();
}
