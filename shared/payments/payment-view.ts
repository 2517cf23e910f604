import { NotFoundError } from '../errors';
import type { PaymentHistory, PaymentStore } from '../ports';
import { type Agreement, agreementOf } from './agreement';
import type { CallbackLogEntry } from './callback-log';
import { whyItFailed } from './error-messages';
import {
  type CallbackType,
  claimedStatusOf,
  newestClaimOf,
  type Payment,
  type PaymentStatus,
  type TransactionState,
} from './payment';

/**
 * The JSON the status API answers for `GET /payments/{shopOrderId}`: the stored payment in its own
 * words, without what only decisions or operators need. Amounts are exact decimal strings.
 * `status` is what the gateway confirmed; `claim` what a callback says on top, while the gateway has
 * not confirmed or refuted it yet.
 */
export type PaymentView = Pick<
  Payment,
  'shopOrderId' | 'status' | 'currency' | 'flags' | 'createdAt' | 'updatedAt'
> & {
  readonly transactions: readonly (Pick<
    TransactionState,
    | 'transactionId'
    | 'paymentId'
    | 'gatewayStatus'
    | 'authType'
    | 'currency'
    | 'reservedAmount'
    | 'capturedAmount'
    | 'refundedAmount'
    | 'maskedPan'
    | 'updatedAt'
    | 'gatewayUpdatedDate'
    | 'flag'
  > &
    ReturnType<typeof whyItFailed> & {
      /** False while the transaction's fields are a callback's claim the gateway has not confirmed. */
      readonly confirmed: boolean;
    })[];
  /** Present while a callback's claim waits for the gateway: the status it claims, and the newest claim. */
  readonly claim?: {
    readonly status: PaymentStatus;
    readonly callbackType: CallbackType;
    readonly receivedAt: string;
  };
  /** The order's subscription agreement, when it has one: the transaction charges go on, and its state. */
  readonly agreement?: Agreement;
  /** What the shop asked for, when the order was started through POST /payments. */
  readonly expected?: { readonly amount: string; readonly currency: string; readonly terminal?: string };
  readonly callbackLog: readonly Pick<
    CallbackLogEntry,
    'callbackType' | 'receivedAt' | 'duplicate' | 'outcome'
  >[];
  /** Callbacks that changed nothing and arrived once the log was full: counted, not listed. */
  readonly callbacksNotLogged: number;
};

/** Reads a payment for the status API; 404 when the order is unknown. */
export async function getPaymentView(store: PaymentStore, shopOrderId: string): Promise<PaymentView> {
  const history = await store.getPaymentHistory(shopOrderId);
  if (history === undefined) throw new NotFoundError(`No payment is recorded for shop order ${shopOrderId}.`);
  return toView(history);
}

function toView({ payment, callbackLog, callbacksNotLogged }: PaymentHistory): PaymentView {
  const claim = newestClaimOf(payment);
  const { request } = payment;
  const agreement = agreementOf(payment);
  return {
    shopOrderId: payment.shopOrderId,
    status: payment.status,
    ...(claim === undefined
      ? {}
      : {
          claim: {
            status: claimedStatusOf(payment),
            callbackType: claim.callbackType,
            receivedAt: claim.receivedAt,
          },
        }),
    ...(agreement === undefined ? {} : { agreement }),
    ...(request === undefined
      ? {}
      : {
          expected: {
            amount: request.amount,
            currency: request.currency,
            ...(request.terminal === undefined ? {} : { terminal: request.terminal }),
          },
        }),
    ...(payment.currency === undefined ? {} : { currency: payment.currency }),
    flags: payment.flags,
    createdAt: payment.createdAt,
    updatedAt: payment.updatedAt,
    transactions: Object.values(payment.transactions).map((t) => ({
      transactionId: t.transactionId,
      ...(t.paymentId === undefined ? {} : { paymentId: t.paymentId }),
      gatewayStatus: t.gatewayStatus,
      ...(t.authType === undefined ? {} : { authType: t.authType }),
      currency: t.currency,
      reservedAmount: t.reservedAmount,
      capturedAmount: t.capturedAmount,
      refundedAmount: t.refundedAmount,
      ...(t.maskedPan === undefined ? {} : { maskedPan: t.maskedPan }),
      updatedAt: t.updatedAt,
      gatewayUpdatedDate: t.gatewayUpdatedDate,
      ...(t.flag === undefined ? {} : { flag: t.flag }),
      confirmed: t.claim === undefined,
      ...whyItFailed(t.details),
    })),
    callbackLog: callbackLog.map((e) => ({
      callbackType: e.callbackType,
      receivedAt: e.receivedAt,
      duplicate: e.duplicate,
      outcome: e.outcome,
    })),
    callbacksNotLogged,
  };
}
