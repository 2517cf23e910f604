import type { Currency } from '../../shared/altapay/currency';
import { formatMinorUnits, gatewayDateTime } from './gateway-formats';
import { type SimTransaction, testCard } from './transaction';

/** How a payment can stand after the customer acted (or an open payment concluded). */
export type PaymentState =
  | 'reserved'
  | 'agreement'
  | 'captured'
  | 'declined'
  | '3ds-failed'
  | 'cancelled'
  | 'open'
  | 'open-declined';

/** What a payment state looks like on the wire: transaction status, Body/Result, callback `status`. */
export interface PaymentStateSpec {
  readonly transactionStatus: string;
  readonly result: string;
  readonly status: string;
  /**
   * Which amounts the payment amount lands in; `agreement`: none, yet a success (a subscription
   * agreement holds no money until it is charged).
   */
  readonly money: 'reserved' | 'captured' | 'agreement' | 'none';
  readonly merchantErrorMessage?: string;
  readonly cardHolderErrorMessage?: string;
  readonly mustBeShown: boolean;
}

/**
 * Each state as the test acquirer produces it. The decline texts are the test acquirer's own (the
 * `CardHolderMessageMustBeShownTrue` sample); invoice payments stay `invoice_initialized` with no
 * amount until the credit check concludes.
 */
export const paymentStates: Readonly<Record<PaymentState, PaymentStateSpec>> = {
  reserved: {
    transactionStatus: 'preauth',
    result: 'Success',
    status: 'succeeded',
    money: 'reserved',
    mustBeShown: false,
  },
  agreement: {
    transactionStatus: 'recurring_confirmed',
    result: 'Success',
    status: 'succeeded',
    money: 'agreement',
    mustBeShown: false,
  },
  captured: {
    transactionStatus: 'captured',
    result: 'Success',
    status: 'succeeded',
    money: 'captured',
    mustBeShown: false,
  },
  declined: {
    transactionStatus: 'preauth_error',
    result: 'Failed',
    status: 'failed',
    money: 'none',
    merchantErrorMessage: 'TestAcquirer[pan=0466 or amount=4660]',
    cardHolderErrorMessage: 'Card declined. Please try another card.',
    mustBeShown: true,
  },
  '3ds-failed': {
    transactionStatus: '3dsecure_failed',
    result: 'Failed',
    status: 'failed',
    money: 'none',
    merchantErrorMessage: 'TestAcquirer: 3-D Secure authentication failed',
    cardHolderErrorMessage: '3-D Secure authentication failed.',
    mustBeShown: true,
  },
  cancelled: {
    transactionStatus: 'epayment_cancelled',
    result: 'Cancelled',
    status: 'cancelled',
    money: 'none',
    mustBeShown: false,
  },
  open: {
    transactionStatus: 'invoice_initialized',
    result: 'Open',
    status: 'open',
    money: 'none',
    mustBeShown: false,
  },
  'open-declined': {
    transactionStatus: 'epayment_declined',
    result: 'Failed',
    status: 'failed',
    money: 'none',
    merchantErrorMessage: 'TestAcquirer: the credit check declined the invoice',
    cardHolderErrorMessage: 'Your payment was not approved.',
    mustBeShown: false,
  },
};

/** A fresh transaction in status `created` with zero amounts, before the customer's outcome is known. */
export function createdTransaction(init: {
  transactionId: string;
  paymentId: string;
  authType: string;
  shopOrderId: string;
  terminal: string;
  currency: Currency;
  /** 'CreditCard' with the test card, or 'Invoice' / 'CreditCard' without card data. */
  paymentNature: string;
  withCard: boolean;
  creditCardToken: string;
  at: Date;
  cardHolder?: SimTransaction['cardHolder'];
  paymentInfos?: Readonly<Record<string, string>>;
}): SimTransaction {
  const zero = formatMinorUnits(0n, init.currency.exponent);
  const date = gatewayDateTime(init.at);
  return {
    transactionId: init.transactionId,
    paymentId: init.paymentId,
    authType: init.authType,
    shopOrderId: init.shopOrderId,
    terminal: init.terminal,
    transactionStatus: 'created',
    currencyNumeric: init.currency.numeric,
    currencyAlpha: init.currency.alpha,
    reservedAmount: zero,
    capturedAmount: zero,
    refundedAmount: zero,
    maskedPan: init.withCard ? testCard.maskedPan : '',
    creditCardToken: init.withCard ? init.creditCardToken : '',
    blacklistToken: init.withCard ? testCard.blacklistToken : '',
    createdDate: date,
    updatedDate: date,
    paymentNature: init.paymentNature,
    paymentSchemeName: init.withCard
      ? testCard.scheme
      : init.paymentNature === 'Invoice'
        ? 'Test Invoice'
        : '',
    ...(init.cardHolder === undefined ? {} : { cardHolder: init.cardHolder }),
    ...(init.paymentInfos === undefined ? {} : { paymentInfos: init.paymentInfos }),
  };
}

/** The transaction moved to `state` at `at`; `amount` is the payment's, already formatted. */
export function settleTransaction(
  transaction: SimTransaction,
  state: PaymentState,
  amount: string,
  at: Date,
): SimTransaction {
  const spec = paymentStates[state];
  const zero = transaction.capturedAmount.replace(/\d/g, '0');
  return {
    ...transaction,
    transactionStatus: spec.transactionStatus,
    reservedAmount: spec.money === 'none' || spec.money === 'agreement' ? zero : amount,
    capturedAmount: spec.money === 'captured' ? amount : zero,
    updatedDate: gatewayDateTime(at),
  };
}
