/**
 * The worker's memory of one piece of work (one payment state change): what the gateway said, whether
 * it captured, the merchant event built for it and every attempt to deliver it. It is what makes a
 * redelivered message harmless: a step already recorded is never done again.
 */
export interface WorkRecord {
  readonly workId: string;
  readonly shopOrderId: string;
  /** The payment version the work is about. */
  readonly version: number;
  readonly state: 'in-progress' | 'done';
  /** Optimistic-lock revision of this record. */
  readonly revision: number;
  readonly confirmation?: {
    readonly checkedAt: string;
    /** True when the gateway holds every changed transaction at least as far as we recorded it. */
    readonly confirmed: boolean;
    readonly detail: string;
  };
  readonly capture?: {
    readonly at: string;
    readonly transactionId: string;
    readonly amount: string;
    readonly outcome: 'captured' | 'already-captured' | 'refused';
    readonly detail?: string;
  };
  /** The event for the merchant; absent when there is nothing to hand on (e.g. unconfirmed). */
  readonly event?: { readonly eventId: string; readonly type: string; readonly body: string };
  readonly deliveries: readonly {
    readonly at: string;
    readonly status?: number;
    readonly error?: string;
    readonly durationMs: number;
  }[];
  readonly deliveredAt?: string;
  readonly lastError?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}
