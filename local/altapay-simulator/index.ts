/**
 * The AltaPay gateway simulator: `startGatewaySimulator` for `npm start` and tests, and the document
 * builders the trigger CLI and tests share with it.
 */

export type { Delivery, GatewayPost } from './callback-delivery';
export { type CustomerAnswer, type Outcome, outcomes } from './checkout';
export type { ActionResult, OrderAction, OrderView } from './control-actions';
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
export {
  type ApiFailure,
  type ApiFault,
  type ClickFault,
  type Fault,
  FaultInputError,
  type FaultName,
  FaultQueue,
  faultNames,
  parseFault,
} from './faults';
export type { SimOperation, SimPaymentRequest } from './ledger';
export { type GatewaySimulator, type SimulatorOptions, startGatewaySimulator } from './server';
