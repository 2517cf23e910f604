import type { PaymentView } from '../../shared/payments/payment-view';

/**
 * What the callbacks recorded say of a payment: the pending claim's status, else the confirmed one.
 * For tests of the callback endpoints alone, where no worker asks the gateway.
 */
export const claimedStatus = (view: PaymentView) => view.claim?.status ?? view.status;
