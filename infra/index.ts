/**
 * The construct entry of the package (`import { AltaPayPayments } from 'altapay-serverless'`): the whole
 * product for a merchant's own CDK app, and its data part for a stack of their own.
 */
export { AltaPayPayments, type AltaPayPaymentsProps, DEFAULT_PREFIX } from './altapay-payments';
export type { CustomDomainSettings } from './custom-domain';
export {
  DEFAULT_ALTAPAY_GATEWAY_URL,
  DEFAULT_CHECKOUT_RATE_LIMIT,
  DEFAULT_WORKER_MAX_CONCURRENCY,
  type DeploymentEnvironment,
  type PaymentsSettings,
} from './deployment-settings';
export { PaymentsApi, type PaymentsApiProps } from './payments-api';
export { PaymentsData, type PaymentsDataProps } from './payments-data';
