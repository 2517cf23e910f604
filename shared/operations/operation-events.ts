import type { OperationKind } from './operation-kind';

/** The merchant event of each operation, whatever the payment's status became (a partial one says so). */
export const operationEventTypes: Readonly<Record<OperationKind, string>> = {
  capture: 'payment.captured',
  refund: 'payment.refunded',
  release: 'payment.released',
  charge: 'payment.subscription_charged',
};
