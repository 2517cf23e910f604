/**
 * The control API's actions on known payments (`/control/payments/…`, `/control/orders/…`): what the
 * customer's click or the gateway's own side does to a payment the simulator holds, each changing the
 * ledger and posting the callback the gateway posts for it. The over-HTTP face of `pay` and of
 * `orderAction`, never a second implementation.
 *
 * Refunds and chargebacks made on the gateway's side reach the merchant as `callback_notification`.
 * For a chargeback that is documented (status `ChargebackEvent`, docs/altapay-protocol.md §3.1, §6.6).
 * For a refund made in AltaPay's back office the public record is silent on whether a notification is
 * sent at all; the simulator sends one (status `succeeded`, the transaction `refunded`), so that an
 * integration can be tested against a refund it did not ask for.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseApiResponse } from '../../shared/altapay/api-response';
import { findCurrency } from '../../shared/altapay/currency';
import { toMinorUnits } from '../../shared/payments/money';
import type { CallbackDelivery, Delivery } from './callback-delivery';
import { type CustomerAnswer, type Outcome, outcomes, type Pay } from './checkout';
import { readJsonObject, sendJson } from './control-json';
import { callbackFields, formatMinorUnits, gatewayTimestamp, type SimTransaction } from './documents';
import type { Ledger, SimPaymentRequest } from './ledger';

/** What `POST /control/orders/{shopOrderId}/{action}` can do. */
export const orderActions = ['pay', 'decline', 'refund', 'chargeback'] as const;
export type OrderAction = (typeof orderActions)[number];

/** What an order action did: the transaction's new status and the callback the merchant got. */
export interface ActionResult {
  readonly transactionId: string;
  /** The transaction's TransactionStatus afterwards. */
  readonly status: string;
  /** The callback posted; absent when the payment request configured no URL for it. */
  readonly callback?: {
    readonly type: Delivery['type'];
    /** The merchant's HTTP status; null when it did not answer (see `failure`). */
    readonly status: number | null;
    readonly failure?: string;
  };
  /** pay and decline: what the customer's browser got from the gateway. */
  readonly customer?: { readonly status: number; readonly location?: string };
}

/** Why an action cannot be done; `status` is the control API's HTTP answer (404 unknown, 409 state). */
export class ActionRefused extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = 'ActionRefused';
  }
}

export interface ControlActionsDeps {
  readonly ledger: Ledger;
  readonly callbacks: CallbackDelivery;
  readonly pay: Pay;
  /** The terminal's shared secret: when set, callbacks carry `checksum`. */
  readonly secret: string | undefined;
  readonly log: (line: string) => void;
}

export interface ControlActions {
  /** Does `action` on the order's newest payment request (pay, decline) or paid transaction (refund, chargeback). */
  orderAction(
    shopOrderId: string,
    action: OrderAction,
    options?: { readonly amount?: string },
  ): Promise<ActionResult>;
  /** The order's payment requests and transactions, or undefined when the simulator knows none. */
  orderView(shopOrderId: string): OrderView | undefined;
  /** Answers a request under `/control/payments/` or `/control/orders/`. */
  serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
}

/** `GET /control/orders/{shopOrderId}`. */
export interface OrderView {
  readonly shopOrderId: string;
  readonly paymentRequests: readonly {
    readonly id: string;
    readonly type: string;
    readonly amount: string;
    readonly currency: string;
    readonly state: SimPaymentRequest['state'];
    readonly transactionIds: readonly string[];
  }[];
  readonly transactions: readonly {
    readonly transactionId: string;
    /** The gateway's PaymentId, which some Merchant API calls (updateOrder) take instead. */
    readonly paymentId: string;
    readonly authType: string;
    readonly status: string;
    readonly currency: string;
    readonly reservedAmount: string;
    readonly capturedAmount: string;
    readonly refundedAmount: string;
    readonly chargebacks: number;
  }[];
}

const maxBodyBytes = 64 * 1024;

export function controlActions({ ledger, callbacks, pay, secret, log }: ControlActionsDeps): ControlActions {
  const requestsOf = (shopOrderId: string) =>
    ledger.recentRequests(Number.POSITIVE_INFINITY).filter((r) => r.shopOrderId === shopOrderId);

  const unknownOrder = (shopOrderId: string) =>
    new ActionRefused(404, `The simulator knows no payment for order ${shopOrderId}`);

  /** The customer's click on the order's newest payment request, then what became of it. */
  const payNewest = async (shopOrderId: string, outcome: Outcome): Promise<ActionResult> => {
    const [newest] = requestsOf(shopOrderId);
    if (newest === undefined) throw unknownOrder(shopOrderId);
    if (newest.state !== 'new') {
      throw new ActionRefused(
        409,
        `The newest payment request of order ${shopOrderId} (${newest.id}) is ${newest.state === 'processing' ? 'being paid right now' : 'already completed'}; create a new payment request to pay again`,
      );
    }
    const before = newest.transactionIds.length;
    const customer = await pay(newest.id, outcome);
    const transactionId = ledger.request(newest.id)?.transactionIds[before];
    const transaction =
      transactionId === undefined
        ? undefined
        : ledger.transactionsOf(shopOrderId).find((t) => t.transactionId === transactionId);
    if (transaction === undefined) {
      throw new ActionRefused(
        409,
        `The payment did not go through: the gateway answered the customer HTTP ${customer.status}`,
      );
    }
    const delivery = callbacks.deliveries.findLast(
      (d) => d.type !== 'verify_order' && d.fields.transaction_id === transaction.transactionId,
    );
    return {
      transactionId: transaction.transactionId,
      status: transaction.transactionStatus,
      ...(delivery === undefined ? {} : { callback: callbackOf(delivery) }),
      customer: customerOf(customer),
    };
  };

  /** The order's newest transaction with money captured: what a refund or chargeback is about. */
  const paidTransaction = (shopOrderId: string, action: 'refund' | 'chargeback'): SimTransaction => {
    const transactions = ledger.transactionsOf(shopOrderId);
    // Amounts are strings: any non-zero digit means money was captured.
    const paid = transactions.findLast((t) => /[1-9]/.test(t.capturedAmount));
    if (paid !== undefined) return paid;
    const newest = transactions.at(-1);
    if (newest === undefined) {
      if (requestsOf(shopOrderId).length === 0) throw unknownOrder(shopOrderId);
      throw new ActionRefused(409, `Order ${shopOrderId} has no transaction yet: pay it first`);
    }
    throw new ActionRefused(
      409,
      `Nothing was captured on order ${shopOrderId} (transaction ${newest.transactionId} is ${newest.transactionStatus}), so there is nothing to ${action === 'refund' ? 'refund' : 'charge back'}`,
    );
  };

  /** Posts the callback_notification of a change the gateway made on its own side. */
  const notify = async (
    transaction: SimTransaction,
    notice: { status: string; result: string },
  ): Promise<ActionResult> => {
    // Charges of a subscription are not among the request's transactionIds: the order's newest request holds the URLs.
    const requests = requestsOf(transaction.shopOrderId);
    const request = requests.find((r) => r.transactionIds.includes(transaction.transactionId)) ?? requests[0];
    const target = request?.config.callback_notification;
    const result = { transactionId: transaction.transactionId, status: transaction.transactionStatus };
    if (request === undefined || target === undefined) {
      log(`notification ${transaction.shopOrderId}: ${notice.status} (no callback_notification configured)`);
      return result;
    }
    const fields = callbackFields({
      transaction,
      status: notice.status,
      result: notice.result,
      requireCapture: false,
      secret,
      type: request.type,
      amount: request.amount,
    });
    const delivery = await callbacks.deliverResult('notification', target, fields, request.cookie);
    return { ...result, callback: callbackOf(delivery) };
  };

  const refund = async (shopOrderId: string, amount: string | undefined): Promise<ActionResult> => {
    const transaction = paidTransaction(shopOrderId, 'refund');
    const answer = ledger.refundOnGateway(transaction.transactionId, amount);
    const document = parseApiResponse(answer.xml);
    const refunded = document.transactions[0];
    if (answer.result !== 'Success' || refunded === undefined) {
      throw new ActionRefused(409, document.merchantErrorMessage ?? 'The gateway refused the refund');
    }
    const updated = ledger
      .transactionsOf(shopOrderId)
      .find((t) => t.transactionId === refunded.transactionId);
    if (updated === undefined) throw new Error(`transaction ${refunded.transactionId} vanished`);
    return notify(updated, { status: 'succeeded', result: 'Success' });
  };

  const chargeback = async (shopOrderId: string, amount: string | undefined): Promise<ActionResult> => {
    const transaction = paidTransaction(shopOrderId, 'chargeback');
    const currency = findCurrency(transaction.currencyNumeric);
    if (currency === undefined) throw new Error(`unknown currency ${transaction.currencyNumeric}`);
    const captured = toMinorUnits(transaction.capturedAmount, currency.exponent) ?? 0n;
    const disputed = amount === undefined ? captured : toMinorUnits(amount, currency.exponent);
    if (disputed === undefined || disputed <= 0n || disputed > captured) {
      throw new ActionRefused(
        400,
        `Field amount must be a dot-decimal amount above 0 and at most the captured ${transaction.capturedAmount} ${currency.alpha}, not '${amount}'`,
      );
    }
    const now = new Date();
    const updated = ledger.addChargeback(transaction.transactionId, {
      date: gatewayTimestamp(now),
      type: 'Chargeback',
      // Visa's "other fraud, card-absent environment", the commonest dispute of online payments.
      reasonCode: '10.4',
      reason: 'Other fraud: card-absent environment',
      amount: formatMinorUnits(disputed, currency.exponent),
      currency: currency.alpha,
      acquirerTransactionId: randomUUID(),
      // A key real acquirers send (sdk-csharp ChargebackEvent.xml): the day the dispute was processed.
      additionalInfo: { processing_date: gatewayTimestamp(now).slice(0, 10) },
    });
    return notify(updated, { status: 'ChargebackEvent', result: 'ChargebackEvent' });
  };

  const orderAction: ControlActions['orderAction'] = async (shopOrderId, action, options = {}) => {
    switch (action) {
      case 'pay':
        return payNewest(shopOrderId, 'success');
      case 'decline':
        return payNewest(shopOrderId, 'decline');
      case 'refund':
        return refund(shopOrderId, options.amount);
      case 'chargeback':
        return chargeback(shopOrderId, options.amount);
    }
  };

  const orderView: ControlActions['orderView'] = (shopOrderId) => {
    const requests = requestsOf(shopOrderId).reverse();
    const transactions = ledger.transactionsOf(shopOrderId);
    if (requests.length === 0 && transactions.length === 0) return undefined;
    return {
      shopOrderId,
      paymentRequests: requests.map((r) => ({
        id: r.id,
        type: r.type,
        amount: r.formattedAmount,
        currency: r.currency.alpha,
        state: r.state,
        transactionIds: [...r.transactionIds],
      })),
      transactions: transactions.map((t) => ({
        transactionId: t.transactionId,
        paymentId: t.paymentId,
        authType: t.authType,
        status: t.transactionStatus,
        currency: t.currencyAlpha,
        reservedAmount: t.reservedAmount,
        capturedAmount: t.capturedAmount,
        refundedAmount: t.refundedAmount,
        chargebacks: t.chargebackEvents?.length ?? 0,
      })),
    };
  };

  const serve: ControlActions['serve'] = async (req, res, path) => {
    const payment = /^\/control\/payments\/([^/]+)\/pay$/.exec(path);
    const order = /^\/control\/orders\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    try {
      if (payment !== null) {
        if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
        const id = decodeURIComponent(payment[1] ?? '');
        const body = await readJson(req);
        const outcome = body.outcome;
        if (typeof outcome !== 'string' || !(outcomes as readonly string[]).includes(outcome)) {
          throw new ActionRefused(400, `Field outcome must be one of ${outcomes.join(', ')}`);
        }
        if (ledger.request(id) === undefined) {
          throw new ActionRefused(404, `The simulator knows no payment request ${id}`);
        }
        return sendJson(res, 200, customerOf(await pay(id, outcome as Outcome)));
      }
      if (order !== null) {
        const shopOrderId = decodeURIComponent(order[1] ?? '');
        const action = order[2];
        if (action === undefined) {
          if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
          const view = orderView(shopOrderId);
          if (view === undefined) throw unknownOrder(shopOrderId);
          return sendJson(res, 200, view);
        }
        if (!(orderActions as readonly string[]).includes(action)) {
          return sendJson(res, 404, {
            error: `No action '${action}': POST /control/orders/{shopOrderId}/ followed by ${orderActions.join(', ')}`,
          });
        }
        if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
        const body = await readJson(req);
        const amount = body.amount;
        if (amount !== undefined && (typeof amount !== 'string' || !/^\d{1,12}(\.\d{1,3})?$/.test(amount))) {
          throw new ActionRefused(
            400,
            `Field amount must be a string such as "12.50" (digits, a dot, decimals)`,
          );
        }
        const result = await orderAction(shopOrderId, action as OrderAction, {
          ...(amount === undefined ? {} : { amount }),
        });
        return sendJson(res, 200, result);
      }
      return sendJson(res, 404, {
        error: `Nothing is served at ${path}: use /control/payments/{paymentRequestId}/pay or /control/orders/{shopOrderId}[/${orderActions.join('|')}]`,
      });
    } catch (error) {
      if (error instanceof ActionRefused) return sendJson(res, error.status, { error: error.message });
      throw error;
    }
  };

  return { orderAction, orderView, serve };
}

function callbackOf(delivery: Delivery): NonNullable<ActionResult['callback']> {
  return {
    type: delivery.type,
    status: delivery.status ?? null,
    ...(delivery.failure === undefined ? {} : { failure: delivery.failure }),
  };
}

function customerOf(answer: CustomerAnswer): NonNullable<ActionResult['customer']> {
  return { status: answer.status, ...(answer.location === undefined ? {} : { location: answer.location }) };
}

/** The JSON object posted, `{}` for an empty body; anything else is refused in plain words. */
async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readJsonObject(req, maxBodyBytes, true);
  if (body.ok) return body.value;
  if (body.problem === 'too large')
    throw new ActionRefused(400, `The body must be at most ${maxBodyBytes} bytes of JSON`);
  throw new ActionRefused(400, 'The body must be a JSON object such as {"amount": "12.50"}');
}

function methodNotAllowed(res: ServerResponse, allowed: string): void {
  res.setHeader('allow', allowed);
  sendJson(res, 405, { error: `Use ${allowed} here` });
}
