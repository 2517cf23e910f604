import type { Payment, TransactionState } from './payment';
import { type AgreementState, agreementState } from './status-properties';
import { isSubscriptionAgreement } from './transaction-phase';

/** A subscription agreement of the order, as GET /payments shows it and a charge uses it. */
export interface Agreement {
  readonly transactionId: string;
  readonly state: AgreementState;
}

/**
 * The order's agreement: the active one when there is one (only it may be charged), otherwise the
 * newest, so that a failed or released agreement is seen. Only what the gateway confirmed counts as
 * active: a callback's claim or a transaction it disowned never does.
 */
export function agreementOf(payment: Pick<Payment, 'transactions'>): Agreement | undefined {
  const agreements = Object.values(payment.transactions).filter(isSubscriptionAgreement);
  const active = agreements.find(isActive);
  const shown = active ?? agreements.sort(byNewest)[0];
  if (shown === undefined) return undefined;
  return { transactionId: shown.transactionId, state: isActive(shown) ? 'active' : stateOf(shown) };
}

function isActive(t: TransactionState): boolean {
  return t.claim === undefined && t.flag === undefined && agreementState(t.phase) === 'active';
}

function stateOf(t: TransactionState): AgreementState {
  const state = agreementState(t.phase);
  // A claim of success is not yet an agreement to charge.
  return state === 'active' ? 'pending' : state;
}

function byNewest(a: TransactionState, b: TransactionState): number {
  return b.gatewayUpdatedDate.localeCompare(a.gatewayUpdatedDate);
}
