/**
 * One import for the merchant's back end: the typed client, the order signer it uses, and the check of
 * the events we send (webhook signatures).
 */

export type { CreatedPayment } from '../shared/checkout/create-payment';
export { signOrder } from '../shared/checkout/order-signature';
export type { OperationView } from '../shared/operations/operation-answer';
export type { PaymentView } from '../shared/payments/payment-view';
export {
  type VerifyPaymentEventOptions,
  verifyPaymentEvent,
  WebhookSignatureError,
} from '../shared/webhooks/verify-event';
export { PaymentsApiError, PaymentsClientConfigError, PaymentsNetworkError } from './errors';
export {
  type CaptureRequest,
  type ChargeRequest,
  type OperationAnswer,
  type OrderInput,
  PaymentsClient,
  type PaymentsClientOptions,
  type RefundRequest,
  type ReleaseRequest,
  type SigningOptions,
} from './payments-client';
