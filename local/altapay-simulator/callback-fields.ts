import { computeChecksum } from '../../shared/altapay/checksum';
import { apiResponseXml } from './api-response-xml';
import { cardChecks } from './card-checks';
import { type PaymentState, paymentStates } from './payment-states';
import type { SimTransaction } from './transaction';

/** What a callback says besides the transaction itself. */
export interface CallbackFieldsOptions {
  transaction: SimTransaction;
  /** Listed after `transaction` in the built `xml`: a new agreement's first charge. */
  alongside?: readonly SimTransaction[];
  /** The `status` form field: succeeded, failed, cancelled, open, ... */
  status: string;
  /** Body/Result of the `xml` field when it is built here. */
  result: string;
  requireCapture: boolean;
  errorMessage?: string;
  merchantErrorMessage?: string;
  mustBeShown?: boolean;
  /** The terminal's shared secret; adds `checksum`. */
  secret?: string;
  /** Defaults to the transaction's AuthType. */
  type?: string;
  /** Defaults to the transaction's PaymentNature. */
  nature?: string;
  /** The payment request's amount string; defaults to the transaction's ReservedAmount. */
  amount?: string;
  /** The `xml` field; defaults to a callback document built from the transaction, result and messages. */
  xml?: string;
  /** Header/Date of the built document. */
  date?: Date;
}

/**
 * The form fields the gateway posts to callback_ok/fail/open/notification/verify_order
 * (docs/altapay-protocol.md §4): currency numeric, amounts as strings, the full document in `xml`, and `checksum` over the raw
 * `amount`, `currency` and `shop_orderid` when the terminal has a secret. The fraud verdict and, for a
 * card, the address verification repeat what the transaction in `xml` says.
 */
export function callbackFields(options: CallbackFieldsOptions): Record<string, string> {
  const t = options.transaction;
  const amount = options.amount ?? t.reservedAmount;
  const xml =
    options.xml ??
    apiResponseXml({
      path: 'API/reservationOfFixedAmount',
      result: options.result,
      ...(options.merchantErrorMessage === undefined
        ? {}
        : { merchantErrorMessage: options.merchantErrorMessage }),
      ...(options.errorMessage === undefined ? {} : { cardHolderErrorMessage: options.errorMessage }),
      cardHolderMessageMustBeShown: options.mustBeShown ?? false,
      transactions: [t, ...(options.alongside ?? [])],
      ...(options.date === undefined ? {} : { date: options.date }),
    });
  // In the order real callbacks post them (api-php CallbackTest, loevgaard CallbackFactoryTest):
  // `amount` after `embedded_window`, the address verification right after `status`.
  const fields: Record<string, string> = {
    shop_orderid: t.shopOrderId,
    currency: t.currencyNumeric,
    type: options.type ?? t.authType,
    embedded_window: '0',
    amount,
    transaction_id: t.transactionId,
    payment_id: t.paymentId,
    nature: options.nature ?? t.paymentNature,
    require_capture: String(options.requireCapture),
    payment_status: t.transactionStatus,
    masked_credit_card: t.maskedPan,
    blacklist_token: t.blacklistToken,
    credit_card_token: t.creditCardToken,
    status: options.status,
    // Only a card has an address to verify: the document has no AddressVerification without one.
    ...(t.maskedPan === '' ? {} : { avs_code: cardChecks.avsCode, avs_text: cardChecks.avsText }),
    error_message: options.errorMessage ?? '',
    merchant_error_message: options.merchantErrorMessage ?? '',
    cardholder_message_must_be_shown: String(options.mustBeShown ?? false),
    fraud_risk_score: cardChecks.fraudRiskScore,
    fraud_explanation: cardChecks.fraudExplanation,
    fraud_recommendation: cardChecks.fraudRecommendation,
  };
  for (const [key, value] of Object.entries(t.paymentInfos ?? {})) fields[`transaction_info[${key}]`] = value;
  fields.xml = xml;
  if (options.secret !== undefined) {
    fields.checksum = computeChecksum(
      { amount, currency: t.currencyNumeric, shop_orderid: t.shopOrderId },
      options.secret,
    );
  }
  return fields;
}

/** The callback fields the gateway posts for a payment that reached `state`: status, result and messages from its spec. */
export function stateCallbackFields(
  state: PaymentState,
  options: Omit<
    CallbackFieldsOptions,
    'status' | 'result' | 'requireCapture' | 'errorMessage' | 'merchantErrorMessage' | 'mustBeShown'
  >,
): Record<string, string> {
  const spec = paymentStates[state];
  return callbackFields({
    ...options,
    status: spec.status,
    result: spec.result,
    requireCapture: state === 'reserved',
    errorMessage: spec.cardHolderErrorMessage,
    merchantErrorMessage: spec.merchantErrorMessage,
    mustBeShown: spec.mustBeShown,
  });
}
