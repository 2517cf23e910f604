/**
 * Pure builders of the documents the AltaPay gateway sends: `APIResponse` XML (Merchant API answers and
 * the `xml` callback field) and the callback form fields (docs/altapay-protocol.md §4, §6). Shared by the
 * simulator, the trigger CLI and tests, so all three speak exactly the same dialect. Element names, order
 * and value styles follow AltaPay's own SDK test documents (docs/altapay-protocol.md §6.7). One import for all of them; each
 * lives in its own file: the transaction, the gateway's formats, the payment states, the XML, the callback fields.
 */
export {
  type ApiResponseOptions,
  apiResponseXml,
  escapeXml,
  shopName,
  type XmlElement,
} from './api-response-xml';
export { type CallbackFieldsOptions, callbackFields, stateCallbackFields } from './callback-fields';
export { formatMinorUnits, gatewayDateTime, gatewayTimestamp } from './gateway-formats';
export {
  createdTransaction,
  type PaymentState,
  type PaymentStateSpec,
  paymentStates,
  settleTransaction,
} from './payment-states';
export { type SimChargebackEvent, type SimTransaction, testCard } from './transaction';
