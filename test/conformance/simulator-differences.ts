/**
 * The ways the simulator's documents differ from AltaPay's real ones on purpose, each with its reason
 * (test/conformance/simulator-conformance.test.ts). Keys are the comparison's own words
 * (test/support/document-shape.ts); docs/altapay-protocol.md §6.8 lists every one.
 * An entry no document needs any more fails the suite, so the list shrinks as the simulator improves.
 */
/** One reason for the empty list, whichever number of fundings the real fixture lists. */
const noFundings =
  'The simulator settles no money with an acquirer, so it has no funding files: its fundingList is an empty first page (numberOfPages 0). Every real one is a test fixture listing one or two fundings.';

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
  'empty APIResponse/Body/Fundings: real has Funding': noFundings,
  'empty APIResponse/Body/Fundings: real has Funding, Funding': noFundings,
  'missing APIResponse/Body/TestNode':
    "sdk-python's etree_to_dict.xml is its login answer with a TestNode added to test the SDK's XML-to-dict helper; no gateway answer has one.",
  'missing attribute APIResponse/Body/Terminals/Terminal/Title@iddonotexists':
    "api-php's terminals-fails.xml (and its fork's) adds an attribute named iddonotexists to test the SDK's parser; no gateway answer has one.",
  'format APIResponse/Body/Transactions/Transaction/ChargebackEvents/ChargebackEvent/ReasonCode: real integer, ours decimal(1)':
    "Ours is Visa's current dispute code 10.4 (card-absent fraud; dotted since Visa Claims Resolution, 2018), as the acquirer passes it on; the real notifications are from 2014 and 2016 and carry numeric codes (Visa 30, Mastercard 4837).",
};
