/**
 * The custom metrics the Lambdas publish (CloudWatch embedded metric format) and the dashboard and
 * alarms read. Plain data, so the CDK app can import the names without loading any handler code.
 */
export const metricsNamespace = 'AltaPayPayments';

/**
 * The Powertools service name of the default stack prefix: a dimension of every metric and a key of every
 * log line. Each deployment sets its own (`POWERTOOLS_SERVICE_NAME`, infra/deployment-names.ts), so two
 * copies in one account keep their metrics apart.
 */
export const defaultServiceName = 'altapay-payments';

import type { CallbackType } from '../shared/payments/payment';

/**
 * The `callbackType` dimension of the callback metrics: the four recorded callbacks, and verify-order,
 * which publishes its rejections only (its function's Duration is its latency).
 */
export type MetricCallbackType = CallbackType | 'verify-order';

export const metricNames = {
  /** One per recorded callback; dimensions `callbackType` and `outcome` (changed, duplicate, stale, queued). */
  callbacks: 'Callbacks',
  /**
   * One per refused callback, verify-order's included; dimensions `callbackType` and `reason` (the error
   * code, e.g. checksum_mismatch: the shared secret differs from the terminal's).
   */
  callbackRejections: 'CallbackRejections',
  /** One per callback answered 5xx (table and queue both failing); dimension `callbackType`. */
  callbackFailures: 'CallbackFailures',
  /** Handler time per callback, milliseconds; dimension `callbackType`. */
  callbackLatency: 'CallbackLatency',
  /** One per POST of an event to the merchant; dimension `outcome` (accepted, failed). */
  merchantEventDeliveries: 'MerchantEventDeliveries',
  /** One per callback the gateway did not confirm (a forgery, or a gateway fault). */
  unconfirmedCallbacks: 'UnconfirmedCallbacks',
  /** One per payment the gateway confirmed for another amount or currency than the shop's request. */
  amountMismatch: 'AmountMismatch',
  /** One per write the table refused because the payment's item would pass 400 KB (its message is parked). */
  itemTooLarge: 'ItemTooLarge',
  /**
   * Orders the reconciler asked the gateway about; dimension `outcome` (changed: a callback had been
   * lost and the payment is now recorded; unchanged; unknown: nothing at the gateway; failed).
   */
  reconciledOrders: 'ReconciledOrders',
  /** One per message the worker parked in the dead-letter queue; dimension `reason` (poison, item-too-large, failed). */
  workParked: 'WorkParked',
} as const;
