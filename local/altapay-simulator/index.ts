/**
 * The AltaPay gateway simulator: `startGatewaySimulator` for `npm start` and tests, and the document
 * builders the trigger CLI and tests share with it.
 */
export {
  type ApiResponseOptions,
  apiResponseXml,
  type CallbackFieldsOptions,
  callbackFields,
  createdTransaction,
  escapeXml,
  formatMinorUnits,
  gatewayDateTime,
  gatewayTimestamp,
  type PaymentState,
  type PaymentStateSpec,
  paymentStates,
  type SimTransaction,
  settleTransaction,
  testCard,
} from './documents';
export type { SimPaymentRequest } from './ledger';
export {
  type ApiFailure,
  type CustomerAnswer,
  type Delivery,
  type GatewayPost,
  type GatewaySimulator,
  type Outcome,
  outcomes,
  type SimulatorOptions,
  startGatewaySimulator,
} from './server';
