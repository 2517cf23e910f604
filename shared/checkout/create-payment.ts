import { ConflictError } from '../errors';
import { compareAmounts } from '../payments/money';
import { awaitsConfirmation, hasLiveRequest, type Payment, type PaymentRequest } from '../payments/payment';
import { holdsMoney, mayStartNewPayment, wasPaid } from '../payments/status-properties';
import { type UpdateDecision, updatePayment } from '../payments/update-payment';
import type { Clock, Log, PaymentGateway, PaymentRequestInput, PaymentStore } from '../ports';
import type { Order } from './order';
import { defaultPaymentMethod, pickTerminal, type Terminal } from './terminals';

export interface CreatePaymentDeps {
  readonly store: PaymentStore;
  readonly gateway: PaymentGateway;
  readonly clock: Clock;
  readonly log: Log;
  /** `payment` (reserve now, capture later) unless the merchant captures at once. */
  readonly paymentType: 'payment' | 'paymentAndCapture';
  /** How long an unanswered payment request holds its order (PAYMENT_REQUEST_EXPIRY_MINUTES). */
  readonly requestExpiryMinutes: number;
  /** The configured terminals; the order's currency and method pick one. */
  readonly terminals: readonly Terminal[];
}

/**
 * Payment requests one order may have. Each attempt can add a transaction and log entries to the
 * order's one item, so without a bound a create-and-cancel loop grows it to DynamoDB's 400 KB limit;
 * no real customer retries 20 times.
 */
export const paymentAttemptLimit = 20;

export interface CreatedPayment {
  /** created: a new payment request; existing: the order's live request, returned again. */
  readonly outcome: 'created' | 'existing';
  readonly shopOrderId: string;
  readonly paymentRequestId: string;
  readonly url: string;
}

/**
 * Starts the payment of an order: creates a payment request at the gateway and records it, so the
 * callbacks and verify-order can check what was asked for.
 *
 * - An order with a live request for the same amount gets the same URL again (no second request).
 * - An order paid before (its money held or returned since), one being paid (open), or a live request
 *   for another amount is a 409; which statuses may start a payment is decided in status-properties.ts.
 * - After a failed or cancelled attempt, or once the live request expired unanswered, a new request is
 *   created (the gateway allows retries), up to `paymentAttemptLimit` requests per order.
 * - The gateway is called before anything is written, so a gateway failure leaves no record at all.
 */
export async function createPayment(
  deps: CreatePaymentDeps,
  order: Order,
  callbacks: PaymentRequestInput['callbacks'],
): Promise<CreatedPayment> {
  const terminal = pickTerminal(
    deps.terminals,
    order.currency.alpha,
    order.paymentMethod ?? defaultPaymentMethod,
  ).name;
  const asked = deps.clock.now().toISOString();
  const existing = reusable(await deps.store.getPayment(order.shopOrderId), order, terminal, asked);
  if (existing) return existing;
  const created = await deps.gateway.createPaymentRequest({
    terminal,
    shopOrderId: order.shopOrderId,
    amount: order.amount,
    currency: order.currency.alpha,
    ...(order.language ? { language: order.language } : {}),
    type: order.type ?? deps.paymentType,
    callbacks,
    ...customerFields(order.customer),
    ...(order.saleReconciliationIdentifier
      ? { saleReconciliationIdentifier: order.saleReconciliationIdentifier }
      : {}),
    ...(order.orderLines ? { orderLines: order.orderLines } : {}),
  });
  const nowDate = deps.clock.now();
  const now = nowDate.toISOString();
  const expiresAt = new Date(nowDate.getTime() + deps.requestExpiryMinutes * 60_000).toISOString();

  const outcome = await updatePayment(
    deps.store,
    order.shopOrderId,
    (current): UpdateDecision<CreatedPayment> => {
      // Someone else may have written since the first read (a twin request, or a callback): decide on what is there now.
      const twin = reusable(current, order, terminal, now);
      if (twin) return { write: false, result: twin };
      const request: PaymentRequest = {
        ...created,
        amount: order.amount,
        currency: order.currency.alpha,
        ...(order.language ? { language: order.language } : {}),
        terminal,
        createdAt: now,
        expiresAt,
        attempt: attemptsOf(current) + 1,
      };
      return {
        write: true,
        next: withRequest(current, order.shopOrderId, request, now),
        result: { outcome: 'created', shopOrderId: order.shopOrderId, ...created },
      };
    },
  );
  if (outcome.outcome === 'created') {
    deps.log.info('payment request created', {
      shopOrderId: order.shopOrderId,
      paymentRequestId: created.paymentRequestId,
    });
  }
  return outcome;
}

/** The order's customer as the gateway takes it: the account's date apart from customer_info. */
function customerFields(
  customer: Order['customer'],
): Pick<PaymentRequestInput, 'customer' | 'customerCreatedDate'> {
  if (customer === undefined) return {};
  const { createdDate, ...info } = customer;
  return {
    ...(Object.keys(info).length > 0 ? { customer: info } : {}),
    ...(createdDate === undefined ? {} : { customerCreatedDate: createdDate }),
  };
}

/** How many payment requests the order has had. */
function attemptsOf(current: Payment | undefined): number {
  if (current?.request === undefined) return 0;
  return current.request.attempt ?? 1;
}

/** The order's live request when it can be handed out again; throws 409 when the order cannot be paid now. */
function reusable(
  current: Payment | undefined,
  order: Order,
  terminal: string,
  now: string,
): CreatedPayment | undefined {
  if (current === undefined) return undefined;
  const { shopOrderId } = current;
  if (wasPaid(current.status)) {
    throw new ConflictError(
      'order_already_paid',
      holdsMoney(current.status)
        ? `Order ${shopOrderId} is already paid. No further payment is needed.`
        : `Order ${shopOrderId} is closed: its payment was paid back. Another payment needs a new order id.`,
    );
  }
  if (!mayStartNewPayment(current.status) || awaitsConfirmation(current)) {
    throw new ConflictError('payment_in_progress', `A payment for order ${shopOrderId} is being processed.`);
  }
  const { request } = current;
  if (request === undefined || !hasLiveRequest(current, now)) {
    if (attemptsOf(current) < paymentAttemptLimit) return undefined;
    throw new ConflictError(
      'too_many_attempts',
      `Order ${shopOrderId} has had ${paymentAttemptLimit} payment attempts, the most one order may have. Start the payment again under a new order id.`,
    );
  }
  const same =
    request.currency === order.currency.alpha && compareAmounts(request.amount, order.amount) === 0;
  if (!same) {
    throw new ConflictError(
      'order_amount_changed',
      `Order ${shopOrderId} already has a payment request for ${request.amount} ${request.currency}; use a new order id for another amount.`,
    );
  }
  // Handing out the card page to a customer who chose MobilePay would take the money the wrong way.
  if (request.terminal !== undefined && request.terminal !== terminal) {
    throw new ConflictError(
      'order_method_changed',
      `Order ${shopOrderId} already has a payment request on terminal ${request.terminal}; use a new order id to pay another way.`,
    );
  }
  return { outcome: 'existing', shopOrderId, paymentRequestId: request.paymentRequestId, url: request.url };
}

/** The payment with its new request; a new order starts as `created`. */
function withRequest(
  current: Payment | undefined,
  shopOrderId: string,
  request: PaymentRequest,
  now: string,
): Payment {
  if (current !== undefined) return { ...current, request, version: current.version + 1, updatedAt: now };
  return {
    shopOrderId,
    status: 'created',
    currency: request.currency,
    transactions: {},
    flags: [],
    request,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
}
