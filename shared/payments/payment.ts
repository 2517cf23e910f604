/**
 * The payment model. A payment is everything that happened to one shop order: the gateway
 * transactions it received (up to 4 payments per order id, subscriptions with their charges) and the
 * status we derive from them. It is the unit of consistency: one item, one version, one decision.
 */

export const paymentStatuses = [
  'created',
  'open',
  'reserved',
  'captured',
  'failed',
  'cancelled',
  'released',
  'refunded',
  'chargeback',
] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

export const callbackTypes = ['ok', 'fail', 'open', 'notification'] as const;
export type CallbackType = (typeof callbackTypes)[number];

/** Why a transaction or payment needs a person's attention. */
export type PaymentFlag =
  /** A second successful one-off payment for an order that was already paid: refund or release it. */
  | 'second-successful-payment'
  /** A callback the gateway does not confirm (a forgery, or a gateway fault): never handed on as paid. */
  | 'unconfirmed-callback';

/** One gateway transaction as last recorded: what the status API shows and what decisions compare. */
export interface TransactionState {
  readonly transactionId: string;
  readonly paymentId?: string;
  readonly authType?: string;
  /** The gateway's TransactionStatus, verbatim (an open set: preauth, captured, epayment_declined, ...). */
  readonly paymentStatus: string;
  /** What that means for the merchant (see transaction-phase.ts). */
  readonly phase: PaymentStatus;
  /** ISO 4217 alpha code. */
  readonly currency: string;
  readonly reservedAmount: string;
  readonly capturedAmount: string;
  readonly refundedAmount: string;
  readonly maskedPan?: string;
  readonly chargebacks: number;
  /** The gateway's UpdatedDate, verbatim ('YYYY-MM-DD HH:MM:SS', gateway time); orders states. */
  readonly gatewayUpdatedDate: string;
  /** When we recorded this state (ISO 8601 UTC). */
  readonly updatedAt: string;
  /**
   * second-successful-payment: to be refunded or released. unconfirmed: a callback claimed it, the
   * gateway does not know it; it does not count towards the payment's status.
   */
  readonly flag?: 'second-successful-payment' | 'unconfirmed';
  /** What the gateway said about the transaction besides its state (for operators; never decides). */
  readonly details?: TransactionDetails;
}

/** The descriptive fields of a gateway transaction, as its latest accepted document gave them. */
export interface TransactionDetails {
  readonly terminal?: string;
  readonly cardStatus?: string;
  readonly paymentNature?: string;
  readonly paymentSchemeName?: string;
  readonly threeDSecureResult?: string;
  readonly liableForChargeback?: string;
  readonly fraudRecommendation?: string;
  readonly fraudRiskScore?: string;
  readonly reasonCode?: string;
  readonly gatewayCreatedDate?: string;
}

/** The payment request we created at the gateway for the order (create-payment). */
export interface PaymentRequest {
  readonly paymentRequestId: string;
  /** The gateway's payment page for this request. */
  readonly url: string;
  /** Exact decimal string, as requested. */
  readonly amount: string;
  /** ISO 4217 alpha code. */
  readonly currency: string;
  readonly language?: string;
  readonly createdAt: string;
}

export interface Payment {
  readonly shopOrderId: string;
  readonly status: PaymentStatus;
  /** ISO 4217 alpha code of the order, as first seen. */
  readonly currency?: string;
  /** Outcome of callbacks that named no transaction (e.g. a wallet error before any transaction). */
  readonly orderPhase?: PaymentStatus;
  readonly transactions: Readonly<Record<string, TransactionState>>;
  readonly flags: readonly PaymentFlag[];
  /** The latest payment request, when the order was started through create-payment. */
  readonly request?: PaymentRequest;
  /** When a callback last changed the payment; a request older than this has been answered. */
  readonly lastCallbackAt?: string;
  /** Optimistic-lock version: every saved change increments it. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The slow work one state change causes (confirm with the gateway, tell the merchant). Ids only. */
export interface PaymentWork {
  /** Unique per state change; the worker deduplicates on it. */
  readonly workId: string;
  readonly shopOrderId: string;
  readonly version: number;
  readonly callbackType: CallbackType;
  readonly status: PaymentStatus;
  readonly previousStatus?: PaymentStatus;
  readonly transactionIds: readonly string[];
  readonly createdAt: string;
}

/** One received callback, as kept in the append-only event log. Never holds card data or the xml. */
export interface CallbackEvent {
  readonly shopOrderId: string;
  readonly eventId: string;
  readonly callbackType: CallbackType;
  readonly receivedAt: string;
  /** changed: it moved the payment; duplicate: nothing new; stale: older than what we hold. */
  readonly outcome: 'changed' | 'duplicate' | 'stale';
  readonly duplicate: boolean;
  readonly result?: string;
  readonly transactionIds: readonly string[];
  readonly statusAfter: PaymentStatus;
}

/** True while the order's payment request is waiting for the customer: no callback has answered it yet. */
export function hasLiveRequest(payment: Payment): boolean {
  const { request, lastCallbackAt } = payment;
  return request !== undefined && (lastCallbackAt === undefined || lastCallbackAt < request.createdAt);
}

/** The payment's status from its transactions (those the gateway did not disown) and order-level outcome. */
export function statusOf(
  transactions: Readonly<Record<string, TransactionState>>,
  orderPhase: PaymentStatus | undefined,
  aggregate: (phases: Iterable<PaymentStatus>) => PaymentStatus,
): PaymentStatus {
  const phases = Object.values(transactions)
    .filter((t) => t.flag !== 'unconfirmed')
    .map((t) => t.phase);
  return aggregate(orderPhase === undefined ? phases : [...phases, orderPhase]);
}
