import { NotFoundError } from '../errors';
import type { PaymentHistory, PaymentStore } from '../ports';
import type { PaymentStatus } from './payment';

/** The JSON the status API answers for `GET /payments/{shopOrderId}`. Amounts are exact decimal strings. */
export interface PaymentView {
  readonly shopOrderId: string;
  readonly status: PaymentStatus;
  readonly currency?: string;
  readonly flags: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly transactions: readonly {
    readonly transactionId: string;
    readonly paymentId?: string;
    /** The gateway's TransactionStatus, verbatim. */
    readonly paymentStatus: string;
    readonly authType?: string;
    readonly currency: string;
    readonly reservedAmount: string;
    readonly capturedAmount: string;
    readonly refundedAmount: string;
    readonly maskedPan?: string;
    readonly updatedAt: string;
    readonly gatewayUpdatedDate: string;
    readonly flag?: string;
  }[];
  readonly events: readonly {
    readonly callbackType: string;
    readonly receivedAt: string;
    readonly duplicate: boolean;
    readonly outcome: string;
  }[];
  /** Callbacks that changed nothing and arrived once the log was full: counted, not listed. */
  readonly callbacksNotLogged: number;
}

/** Reads a payment for the status API; 404 when the order is unknown. */
export async function getPaymentView(store: PaymentStore, shopOrderId: string): Promise<PaymentView> {
  const history = await store.getPaymentHistory(shopOrderId);
  if (history === undefined) throw new NotFoundError(`No payment is recorded for shop order ${shopOrderId}.`);
  return toView(history);
}

function toView({ payment, events, callbacksNotLogged }: PaymentHistory): PaymentView {
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
      paymentStatus: t.paymentStatus,
      ...(t.authType === undefined ? {} : { authType: t.authType }),
      currency: t.currency,
      reservedAmount: t.reservedAmount,
      capturedAmount: t.capturedAmount,
      refundedAmount: t.refundedAmount,
      ...(t.maskedPan === undefined ? {} : { maskedPan: t.maskedPan }),
      updatedAt: t.updatedAt,
      gatewayUpdatedDate: t.gatewayUpdatedDate,
      ...(t.flag === undefined ? {} : { flag: t.flag }),
    })),
    events: events.map((e) => ({
      callbackType: e.callbackType,
      receivedAt: e.receivedAt,
      duplicate: e.duplicate,
      outcome: e.outcome,
    })),
    callbacksNotLogged,
  };
}
