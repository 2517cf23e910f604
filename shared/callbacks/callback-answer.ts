import type { CallbackPageKind, CallbackPageModel } from '../pages';
import { type CallbackType, claimedStatusOf, type PaymentStatus } from '../payments/payment';
import { holdsMoney, isFinal, returnedMoney } from '../payments/status-properties';
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
    const location = new URL(settings.shopReceiptUrl);
    // Only our own id: no amounts, statuses or gateway ids for the shop to trust from a URL.
    location.searchParams.set('shopOrderId', payment.shopOrderId);
    return { kind: 'redirect', location: location.toString() };
  }
  // Recorded later by the worker: promise nothing we have not recorded.
  const kind =
    recorded.outcome === 'queued'
      ? callbackType === 'fail'
        ? 'failed'
        : 'pending'
      : // What the callback claims: the gateway shows the customer the same outcome synchronously, so
        // the page says it at once; the worker confirms it before anything else counts it.
        pageKind(callbackType, claimedStatusOf(payment));
  // The amount the customer paid, verbatim: that of the (first) paid transaction.
  const paid = Object.values(payment.transactions).find((t) => holdsMoney(t.phase));
  const page: CallbackPageModel = {
    kind,
    shopOrderId: payment.shopOrderId,
    merchantName: settings.merchantName,
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
  if (!isFinal(status)) return callbackType === 'fail' ? 'failed' : 'pending';
  return returnedMoney(status) ? 'closed' : 'failed';
}
