import { NotFoundError } from '../errors';
import type { PaymentHistory, PaymentStore } from '../ports';
import type { CallbackLogEntry } from './callback-log';
import { whyItFailed } from './error-messages';
import type { Payment, TransactionState } from './payment';

/**
 * The JSON the status API answers for `GET /payments/{shopOrderId}`: the stored payment in its own
 * words, without what only decisions or operators need. Amounts are exact decimal strings.
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
    ReturnType<typeof whyItFailed>)[];
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
  return {
    shopOrderId: payment.shopOrderId,
    status: payment.status,
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
