import { ContendedPaymentError } from '../errors';
import type { PaymentChanges, PaymentStore } from '../ports';
import type { Payment } from './payment';

/**
 * Attempts an optimistic update makes before it gives up: each conflict means another writer saved
 * first, and 100 identical callbacks at once settle in two rounds.
 */
export const updateAttempts = 8;

/** What a deciding function concludes from the payment as it is now. */
export type UpdateDecision<T> =
  /** Nothing to write: `result` is the answer as is. */
  | { readonly write: false; readonly result: T }
  /** Save `next` (with its outbox entry and log entry) over the payment that was read. */
  | { readonly write: true; readonly next: Payment; readonly changes?: PaymentChanges; readonly result: T };

/**
 * The one optimistic update of a payment: read it, let `decide` (pure) say what it becomes, write that
 * only if nobody saved in between, and on a conflict read and decide again, up to `updateAttempts`
 * times. A decision not to write is never written. Throws ContendedPaymentError when every attempt
 * met a conflict; the store's own failures pass through (already DependencyErrors).
 */
export async function updatePayment<T>(
  store: PaymentStore,
  shopOrderId: string,
  decide: (current: Payment | undefined) => UpdateDecision<T>,
): Promise<T> {
  for (let attempt = 1; attempt <= updateAttempts; attempt++) {
    const current = await store.getPayment(shopOrderId);
    const decision = decide(current);
    if (!decision.write) return decision.result;
    const outcome = await store.savePayment(decision.next, current?.version, decision.changes);
    if (outcome === 'saved') return decision.result;
  }
  throw new ContendedPaymentError(shopOrderId, updateAttempts);
}
