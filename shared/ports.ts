import type { GatewayTransaction } from './altapay/api-response';
import type { PaymentRequestType } from './checkout/order';
import type { OrderLine as OrderLineShape } from './checkout/order-lines';
import type { OperationRecord } from './operations/operation-record';
import type { CallbackLogEntry } from './payments/callback-log';
import type { Payment, PaymentStatus, PaymentWork } from './payments/payment';
import type { SealedCallback } from './worker/work-message';
import type { MerchantEvent, WorkRecord } from './worker/work-record';

export type { MerchantEvent, SealedCallback };

/**
 * The ports the use cases need. Adapters in `adapters/` implement them (DynamoDB, SQS); tests use
 * the same adapters against the local emulators, or small fakes for faults. An adapter translates its
 * own failures: a store or queue that cannot be reached throws a DependencyError (retryable), and a
 * condition that did not hold is an outcome (`conflict`), never an exception.
 */

export interface PaymentHistory {
  readonly payment: Payment;
  /** The order's callback log, oldest first (at most the latest `callbackLogShown` entries). */
  readonly callbackLog: readonly CallbackLogEntry[];
  /** Callbacks that changed nothing and arrived after the log was full: counted, not kept. */
  readonly callbacksNotLogged: number;
}

/** What is written together with a payment: its outbox entry and the callback that caused it. */
export interface PaymentChanges {
  /** The slow work of the change (the outbox): durable in the same write as the change. */
  readonly work?: PaymentWork;
  /** The callback that caused the change, appended to the order's callback log in the same write. */
  readonly logEntry?: CallbackLogEntry;
}

/** What a conditional write can come to besides failing: the condition held, or it did not. */
export type WriteOutcome = 'saved' | 'conflict';

export interface PaymentStore {
  /** The payment as last saved (strongly consistent), or undefined when the order is unknown. */
  getPayment(shopOrderId: string): Promise<Payment | undefined>;
  /**
   * Saves `next` only if the stored version is still `expectedVersion` (undefined: only if no payment
   * exists), in one write with its outbox entry and callback (see PaymentChanges): a state change, the
   * promise to do its slow work and the record of what caused it are durable together; once the log
   * holds `callbackLogMaxEntries` the entry is counted instead of kept. `conflict`:
   * another writer got there first (or the payment exists / does not exist); nothing was written.
   */
  savePayment(
    next: Payment,
    expectedVersion: number | undefined,
    changes?: PaymentChanges,
  ): Promise<WriteOutcome>;
  /**
   * Logs a callback that changed nothing (a duplicate or a stale one) on its payment. The log keeps
   * the first `callbackLogLimit` entries; later ones are counted, so a gateway retrying forever cannot
   * grow the payment without bound. Changes are logged by savePayment (up to `callbackLogMaxEntries`).
   * Nothing happens for an unknown order.
   */
  logCallback(entry: CallbackLogEntry): Promise<void>;
  /** Clears work from the outbox: the worker has it (the sweeper no longer needs to queue it). */
  markWorkQueued(work: PaymentWork): Promise<void>;
  /** The payment with its callback log, oldest entry first, or undefined when unknown. */
  getPaymentHistory(shopOrderId: string): Promise<PaymentHistory | undefined>;
  /** The worker's record of one piece of work, or undefined before it first ran. */
  getWorkRecord(shopOrderId: string, workId: string): Promise<WorkRecord | undefined>;
  /** Saves the work record if its revision is still `expectedRevision` (undefined: only if new). */
  saveWorkRecord(record: WorkRecord, expectedRevision: number | undefined): Promise<WriteOutcome>;
  /** Work recorded in payments' outboxes before `before` (ISO time) and not yet cleared: the sweeper's input. */
  listPendingWork(before: string, limit: number): Promise<readonly PaymentWork[]>;
  /** The record of the order's operation with this Idempotency-Key, or undefined when the key is new. */
  getOperation(shopOrderId: string, idempotencyKey: string): Promise<OperationRecord | undefined>;
  /**
   * Saves an operation record if its revision is still `expectedRevision`; undefined: only if the
   * key is new, which is how a request claims its key (`conflict`: another request has it).
   */
  saveOperation(record: OperationRecord, expectedRevision: number | undefined): Promise<WriteOutcome>;
  /**
   * Payments with `status` whose `updatedAt` lies within `updated` (ISO times, both ends included),
   * oldest first, at most `limit`: the reconciler's input, from the byStatus index.
   */
  listPaymentsByStatus(
    status: PaymentStatus,
    updated: { readonly from: string; readonly to: string },
    limit: number,
  ): Promise<readonly Payment[]>;
}

export interface WorkQueue {
  /** Puts work on the queue; resolves once the queue has accepted it. */
  enqueue(work: PaymentWork): Promise<void>;
  /** Puts the sealed facts of a callback that could not be recorded on the queue, for the worker to record. */
  enqueueCallback(callback: SealedCallback): Promise<void>;
}

export interface DeadLetterQueue {
  /** Parks a message that keeps failing, with why, for an operator to look at and redrive. */
  park(messageBody: string, reason: string, attempts: number): Promise<void>;
}

export interface MerchantNotifier {
  /**
   * POSTs the event, signed; resolves with the merchant's HTTP status. Throws a WebhookDeliveryError
   * naming the cause when no answer came (refused, DNS, TLS, timeout).
   */
  deliver(event: MerchantEvent): Promise<number>;
}

/** A payment request as the shop asks for it, in our terms; the gateway adapter speaks AltaPay's. */
export interface PaymentRequestInput {
  /** The AltaPay terminal's name, as configured (see shared/checkout/terminals.ts). */
  readonly terminal: string;
  readonly shopOrderId: string;
  /** Exact decimal string. */
  readonly amount: string;
  /** ISO 4217 alpha code. */
  readonly currency: string;
  readonly language?: string;
  /**
   * `payment` reserves (capture later); `paymentAndCapture` captures at once; the subscription types
   * set up an agreement charged later (`chargeSubscription`), with a first charge or reservation.
   */
  readonly type: PaymentRequestType;
  /** Absolute URLs of our callback routes. */
  readonly callbacks: Readonly<Record<'ok' | 'fail' | 'open' | 'notification' | 'verifyOrder', string>>;
  /** Billing and shipping address, contact, and the customer's browser (clientIp, userAgent). */
  readonly customer?: Readonly<Record<string, string>>;
  /** When the customer's account was made in the shop (YYYY-MM-DD). */
  readonly customerCreatedDate?: string;
  /** The shop's own reference in AltaPay's reconciliation files. */
  readonly saleReconciliationIdentifier?: string;
  readonly orderLines?: readonly OrderLine[];
}

/** One order line in AltaPay's terms, values as exact strings; sent as `orderLines[i][key]`. */
export type OrderLine = Readonly<OrderLineShape>;

/** The gateway's answer to a capture, refund, release or subscription charge. */
export interface OperationResult {
  /** The gateway's Result: Success, or Error/Failed with a reason. */
  readonly result: string;
  readonly merchantErrorMessage?: string;
  /** The transaction as the gateway holds it after the call; read it, not only `result`. */
  readonly transactions: readonly GatewayTransaction[];
}

/** The answer to `captureReservation` (the worker's name for an OperationResult). */
export type CaptureResult = OperationResult;

/**
 * The gateway, in our terms. Every failure is a GatewayError. A money-moving call (capture, refund,
 * release) whose answer was lost has `outcomeUnknown` set: it may have happened, so the caller looks
 * (`transactions`) before it tries again. A refusal is no failure: it comes back as an
 * OperationResult whose `result` is not Success, with the gateway's reason.
 */
export interface PaymentGateway {
  /** Creates a payment request; throws GatewayError when the gateway fails or refuses. */
  createPaymentRequest(input: PaymentRequestInput): Promise<{ paymentRequestId: string; url: string }>;
  /** The gateway's current view of a transaction (`payments`); empty when it does not know it. */
  transactions(transactionId: string): Promise<readonly GatewayTransaction[]>;
  /**
   * Every transaction the gateway holds for an order (`payments` by `shop_orderid`), oldest first:
   * how a payment whose callback never came is found.
   */
  transactionsOfOrder(shopOrderId: string): Promise<readonly GatewayTransaction[]>;
  /**
   * Captures `amount` of a reservation (`captureReservation`); less than what is left is a partial
   * capture, and several partial captures may follow. `orderLines` say what is being captured
   * (required by invoice methods for a partial capture).
   */
  captureReservation(
    transactionId: string,
    amount: string,
    orderLines?: readonly OrderLine[],
  ): Promise<OperationResult>;
  /**
   * Gives back `amount` of what was captured (`refundCapturedReservation`); several partial refunds
   * may follow, up to what was captured.
   */
  refundCapturedReservation(
    transactionId: string,
    amount: string,
    orderLines?: readonly OrderLine[],
  ): Promise<OperationResult>;
  /** Lets the whole reservation go (`releaseReservation`); refused once anything is captured. */
  releaseReservation(transactionId: string): Promise<OperationResult>;
  /**
   * Charges `amount` on a subscription agreement (`chargeSubscription`), or only reserves it
   * (`reserveSubscriptionCharge`, captured later). Each charge is a new transaction of the order
   * (AuthType subscription_payment); the answer lists the agreement and the new charge.
   */
  chargeSubscription(
    agreementId: string,
    amount: string,
    options: { readonly reserveOnly: boolean },
  ): Promise<OperationResult>;
}

export interface Clock {
  now(): Date;
}

/** Logging seen by use cases: structured context, never card data or the raw xml. */
export interface Log {
  info(message: string, context: Record<string, unknown>): void;
  warn(message: string, context: Record<string, unknown>): void;
  error(message: string, context: Record<string, unknown>): void;
}

/** What the worker counts for the dashboard and alarms (published as metrics by the Lambda). */
export interface WorkerMetrics {
  /** One POST of an event to the merchant: accepted (2xx) or not. */
  deliveryAttempt(accepted: boolean): void;
  /** A callback the gateway did not confirm. */
  unconfirmed(): void;
  /** A payment the gateway confirmed for another amount or currency than the shop requested. */
  amountMismatch(): void;
}
