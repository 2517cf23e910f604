/**
 * The ways the simulator's documents differ from AltaPay's real ones on purpose, each with its reason
 * (test/conformance/simulator-conformance.test.ts). Keys are the comparison's own words
 * (test/support/document-shape.ts); docs/altapay-protocol.md §6.8 lists every one.
 * An entry no document needs any more fails the suite, so the list shrinks as the simulator improves.
 */
export const allowedDifferences: Readonly<Record<string, string>> = {
  'missing APIResponse/Body/Transactions/Transaction/TransactionInfo':
    "An empty element of API version 20110831 (sdk-php 20110831_get_payment.xml); later versions echo the merchant's transaction_info as PaymentInfos, which ours writes.",
  'missing APIResponse/Body/RefundedAmount':
    "sdk-ruby's refund fixture (2014) names the Body's refund amount RefundedAmount; every other refund answer, api-php's current one included, says RefundAmount, as ours does.",
  'missing APIResponse/Body/CardHolderMessageMustBeShown':
    "sdk-python's successful capture and payments answers (2016) carry CardHolderMessageMustBeShown=false; api-php's current ones do not, and ours follow them. Error answers carry it, ours too.",
  'format APIResponse/Body/Transactions/Transaction/CustomerInfo/UserAgent: real free text, ours empty':
    "The simulator's payment page does not record the customer's browser, so UserAgent stays empty, as in real documents of payments made through the API.",
  'format APIResponse/Body/Transactions/Transaction/PaymentSchemeName: real free text, ours empty':
    'Ours is a card payment cancelled on the payment page before a card was entered, so no scheme is known; the real cancelled documents are e-payments and wallets, whose scheme is the method itself (TestEPayment, PayPal, MobilePay).',
  'extra field checksum':
    'The POSTs in the SDK tests come from terminals without a shared secret; the simulator signs, as a terminal with a secret does (§5).',
  'extra field error_message':
    "A documented callback field (§4.1) the SDK tests' POSTs leave out; ours posts it on every result callback, empty when there is no message.",
  'extra field merchant_error_message':
    "A documented callback field (§4.1) the SDK tests' POSTs leave out; ours posts it on every result callback, empty when there is no message.",
  'extra field cardholder_message_must_be_shown':
    "A documented callback field (§4.1) the SDK tests' POSTs leave out; ours posts it on every result callback.",
  'extra field fraud_risk_score':
    "Posted by a terminal with a fraud service, with the transaction's Fraud* values (§11); the SDK tests' POSTs come from terminals without one.",
  'extra field fraud_explanation':
    "Posted by a terminal with a fraud service, with the transaction's Fraud* values (§11); the SDK tests' POSTs come from terminals without one.",
  'extra field fraud_recommendation':
    "Posted by a terminal with a fraud service, with the transaction's Fraud* values (§11); the SDK tests' POSTs come from terminals without one.",
  'extra field transaction_info[*]':
    "The merchant's transaction_info echoed (§4.1): the SDK tests' payment requests had none, the compared one has one.",
};
