import type { PaymentStatus } from './payment';

/**
 * What each payment status means for the questions the use cases ask. Every use case and page asks
 * through the predicates below, so "paid" cannot mean one thing to verify-order and another to
 * create-payment.
 */
export type StatusProperty =
  /** The customer's money is with the merchant: reserved on the card, or captured. */
  | 'holdsMoney'
  /** The customer completed a payment for this order, whatever happened to the money since. */
  | 'wasPaid'
  /** A completed payment's money went back to the customer: released, refunded, or pulled back. */
  | 'returnedMoney'
  /** The customer's attempt has an outcome; only the merchant or the card issuer changes it now. */
  | 'isFinal'
  /** create-payment may hand out a payment request for the order (a new one, or its live one). */
  | 'mayStartNewPayment'
  /** verify-order may answer OKAY, letting the gateway charge the customer for the order. */
  | 'mayBeVerified'
  /** The customer stopped the attempt (pressed Cancel): nothing was declined, so the page says so. */
  | 'cancelledByCustomer';

/**
 * The one truth table. The reasons, status by status:
 * - created: nothing happened yet; the order may be paid.
 * - open: a payment is under way (a bank payment or invoice waiting for its result, or a success we
 *   have not confirmed): a second charge could take the money twice, so nothing new may start.
 * - reserved, captured: paid, the money is held.
 * - failed, cancelled: no money moved; the customer may try again (the gateway allows retries).
 * - released: the reservation was given back, by the merchant or by the gateway on the merchant's
 *   rules; the order is closed, and charging it again would take money for an order the shop let go.
 * - refunded: the merchant gave the captured money back: the order is settled, not payable again.
 * - chargeback: the card issuer pulled the money back on a dispute; taking a second payment while
 *   the dispute is open would charge the customer twice for the same goods.
 * An order closed by a release or a refund is paid again under a new order id.
 */
const statusProperties: Readonly<Record<PaymentStatus, readonly StatusProperty[]>> = {
  created: ['mayStartNewPayment', 'mayBeVerified'],
  open: [],
  reserved: ['holdsMoney', 'wasPaid', 'isFinal'],
  captured: ['holdsMoney', 'wasPaid', 'isFinal'],
  failed: ['isFinal', 'mayStartNewPayment', 'mayBeVerified'],
  cancelled: ['isFinal', 'mayStartNewPayment', 'mayBeVerified', 'cancelledByCustomer'],
  released: ['wasPaid', 'returnedMoney', 'isFinal'],
  refunded: ['wasPaid', 'returnedMoney', 'isFinal'],
  chargeback: ['wasPaid', 'returnedMoney', 'isFinal'],
};

/** True when `status` has `property` in the truth table above. */
function hasStatusProperty(status: PaymentStatus, property: StatusProperty): boolean {
  return statusProperties[status].includes(property);
}

// The questions the use cases ask, one per column of the table; StatusProperty says what each means.
export const holdsMoney = (status: PaymentStatus): boolean => hasStatusProperty(status, 'holdsMoney');
export const wasPaid = (status: PaymentStatus): boolean => hasStatusProperty(status, 'wasPaid');
export const returnedMoney = (status: PaymentStatus): boolean => hasStatusProperty(status, 'returnedMoney');
export const isFinal = (status: PaymentStatus): boolean => hasStatusProperty(status, 'isFinal');
export const mayStartNewPayment = (status: PaymentStatus): boolean =>
  hasStatusProperty(status, 'mayStartNewPayment');
export const mayBeVerified = (status: PaymentStatus): boolean => hasStatusProperty(status, 'mayBeVerified');
export const cancelledByCustomer = (status: PaymentStatus): boolean =>
  hasStatusProperty(status, 'cancelledByCustomer');

/**
 * What a subscription agreement's transaction phase means for charging it: `active` may be charged;
 * `pending` waits for the customer or the gateway; `failed` never came to be; `released` was ended
 * (by the merchant, or by the gateway after the first charge of some agreement types).
 */
export type AgreementState = 'pending' | 'active' | 'failed' | 'released';

export function agreementState(phase: PaymentStatus): AgreementState {
  if (holdsMoney(phase)) return 'active';
  if (returnedMoney(phase)) return 'released';
  if (phase === 'failed' || phase === 'cancelled') return 'failed';
  return 'pending';
}
