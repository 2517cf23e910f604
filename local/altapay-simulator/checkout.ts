/**
 * The checkout flow behind the payment page: the customer's choice opens a transaction, the shop is
 * asked to verify the order, the transaction settles, and the result callback's answer is what the
 * customer sees (docs/altapay-protocol.md §3.2, §3.3).
 */
import type { CallbackDelivery, Delivery } from './callback-delivery';
import { callbackFields, type PaymentState, paymentStates, type SimTransaction } from './documents';
import type { Ledger, SimPaymentRequest } from './ledger';
import { messagePage, outcomeLabels, refusalText, stripScripts } from './pages';

/** What the customer can click on the payment page. */
export type Outcome =
  | 'success'
  /** Reserved, but no callback at all reaches the shop: its API was down, or the browser closed in 3-D Secure. */
  | 'success-unheard'
  | 'decline'
  | '3ds-failure'
  | 'cancel'
  | 'open-success'
  | 'open-failure';

/** Every Outcome, in the order of the payment page. */
export const outcomes = Object.keys(outcomeLabels) as readonly Outcome[];

/** What the customer's browser gets from the gateway after clicking an outcome. */
export interface CustomerAnswer {
  readonly status: number;
  /** Set with a 303: where the browser goes next (absolute). */
  readonly location?: string;
  readonly html?: string;
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

export interface CheckoutDeps {
  readonly ledger: Ledger;
  readonly callbacks: CallbackDelivery;
  /** The terminal's shared secret: when set, the verify-order callback carries `checksum`. */
  readonly secret: string | undefined;
}

/** What clicking `outcome` on the payment page of `paymentRequestId` does; returns what the customer sees. */
export type Pay = (paymentRequestId: string, outcome: Outcome) => Promise<CustomerAnswer>;

export function checkout({ ledger, callbacks, secret }: CheckoutDeps): Pay {
  const completePayment = async (
    request: SimPaymentRequest,
    outcome: Outcome,
  ): Promise<{ answer: CustomerAnswer; completed: boolean }> => {
    const kind = outcome.startsWith('open-') ? 'invoice' : outcome === 'cancel' ? 'no-card' : 'card';
    const created = ledger.openTransaction(request, kind);
    const unheard = outcome === 'success-unheard';

    const verifyUrl = request.config.callback_verify_order;
    // Not even verify_order: a shop that could answer it would be told of the payment.
    if (verifyUrl !== undefined && !unheard) {
      const fields = callbackFields({
        transaction: created,
        status: 'open',
        result: 'Created',
        requireCapture: false,
        secret,
        type: request.type,
        amount: request.amount,
      });
      const answer = await callbacks.postOnce('verify_order', verifyUrl, fields, request.cookie);
      if (answer.status === undefined) return { answer: shopUnreachable(answer, request), completed: false };
      // Exactly 'OKAY' (docs/altapay-protocol.md §3.3): 'OK', 'okay' or 'OKAY\n' stop the payment.
      if (answer.status !== 200 || answer.body !== 'OKAY') {
        const reason = refusalText(answer.body) || `The shop answered HTTP ${answer.status}.`;
        return {
          answer: html(200, messagePage('The shop did not accept this order', reason)),
          completed: false,
        };
      }
    }

    const state = stateOf(outcome, request.type);
    const transaction = ledger.settle(created.transactionId, state, request.formattedAmount);
    // subscriptionAndCharge / subscriptionAndReserve: the agreement and its first charge at once.
    const firstCharge =
      state === 'agreement' && request.type !== 'subscription'
        ? [
            ledger.chargeOn(
              transaction,
              request.type === 'subscriptionAndCharge' ? 'captured' : 'reserved',
              request.formattedAmount,
            ),
          ]
        : undefined;
    if (unheard) return { answer: html(200, unheardPage(request, transaction)), completed: true };
    const callback = state === 'open' ? 'open' : paymentStates[state].money === 'none' ? 'fail' : 'ok';
    const completed = callback !== 'fail';
    const target = request.config[`callback_${callback}`];
    const fields = callbacks.resultFields(request, transaction, state, firstCharge);

    let answer: CustomerAnswer;
    if (target === undefined) {
      answer = html(200, resultPage(request, transaction, state));
    } else {
      answer = customerView(await callbacks.deliverResult(callback, target, fields, request.cookie), request);
    }
    if (state === 'open')
      callbacks.scheduleNotification(request, transaction.transactionId, outcome === 'open-success');
    return { answer, completed };
  };

  const pay = async (paymentRequestId: string, outcome: Outcome): Promise<CustomerAnswer> => {
    const request = ledger.request(paymentRequestId);
    if (request === undefined) {
      return html(404, messagePage('Payment not found', 'There is no payment request with this id.'));
    }
    if (!(outcomes as readonly string[]).includes(outcome)) {
      return html(400, messagePage('Unknown choice', `Choose one of: ${outcomes.join(', ')}.`));
    }
    if (request.state === 'processing') {
      return html(409, messagePage('Payment in progress', 'This payment is already being processed.'));
    }
    if (request.state === 'completed') return html(409, completedPage(ledger, request));
    ledger.setRequestState(request.id, 'processing');
    let completed = false;
    try {
      const result = await completePayment(request, outcome);
      completed = result.completed;
      return result.answer;
    } finally {
      ledger.setRequestState(request.id, completed ? 'completed' : 'new');
    }
  };

  return pay;
}

/**
 * A completed request reloaded: what became of its last payment. An open payment may have concluded
 * since (a declined invoice), and that customer must not read that they paid.
 */
function completedPage(ledger: Ledger, request: SimPaymentRequest): string {
  const lastId = request.transactionIds.at(-1);
  const last = ledger.transactionsOf(request.shopOrderId).find((t) => t.transactionId === lastId);
  if (last?.transactionStatus === paymentStates.open.transactionStatus) {
    return messagePage(
      'Payment in progress',
      'This payment is waiting for its result. You will hear from the shop.',
    );
  }
  const paid = last !== undefined && (Number(last.reservedAmount) > 0 || Number(last.capturedAmount) > 0);
  if (paid) return messagePage('Payment already completed', 'This payment request has already been paid.');
  return messagePage('Payment failed', 'This payment did not go through. Return to the shop to try again.');
}

function stateOf(outcome: Outcome, type: SimPaymentRequest['type']): PaymentState {
  switch (outcome) {
    case 'success':
    case 'success-unheard':
      if (type.startsWith('subscription')) return 'agreement';
      return type === 'paymentAndCapture' ? 'captured' : 'reserved';
    case 'decline':
      return 'declined';
    case '3ds-failure':
      return '3ds-failed';
    case 'cancel':
      return 'cancelled';
    case 'open-success':
    case 'open-failure':
      return 'open';
  }
}

/** What the customer sees of a callback answer: scriptless HTML or a 30X (docs/altapay-protocol.md §3.2). */
function customerView(delivery: Delivery, request: SimPaymentRequest): CustomerAnswer {
  if (delivery.status === undefined) return shopUnreachable(delivery, request);
  if (redirectStatuses.has(delivery.status) && delivery.location !== undefined) {
    try {
      return { status: 303, location: new URL(delivery.location, delivery.url).href };
    } catch {
      return html(
        502,
        messagePage('The shop sent you nowhere', 'The shop answered with a redirect to an invalid address.'),
      );
    }
  }
  if (delivery.status === 200) return html(200, stripScripts(delivery.body));
  return html(
    502,
    messagePage(
      'The shop could not show your result',
      `The shop answered HTTP ${delivery.status}. Please contact the shop about order ${request.shopOrderId}.`,
    ),
  );
}

function shopUnreachable(delivery: Delivery, request: SimPaymentRequest): CustomerAnswer {
  const timedOut = delivery.failure === 'answer-timeout' || delivery.failure === 'connect-timeout';
  return html(
    timedOut ? 504 : 502,
    messagePage(
      timedOut ? 'The shop did not answer in time' : 'The shop could not be reached',
      `Please contact the shop about order ${request.shopOrderId}.`,
    ),
  );
}

/** The gateway's own result page, shown when the merchant configured no callback for the result. */
function resultPage(request: SimPaymentRequest, transaction: SimTransaction, state: PaymentState): string {
  const spec = paymentStates[state];
  const amount = `${request.formattedAmount} ${request.currency.alpha}`;
  const order = `order ${request.shopOrderId}, transaction ${transaction.transactionId}`;
  if (spec.money === 'agreement')
    return messagePage('Subscription set up', `Card saved for ${amount} (${order}).`);
  if (spec.money !== 'none') return messagePage('Payment completed', `${amount} paid (${order}).`);
  if (state === 'open') return messagePage('Payment pending', `${amount} is being processed (${order}).`);
  if (state === 'cancelled') return messagePage('Payment cancelled', `No money was taken (${order}).`);
  const reason = spec.mustBeShown && spec.cardHolderErrorMessage ? `${spec.cardHolderErrorMessage} ` : '';
  return messagePage('Payment failed', `${reason}No money was taken (${order}).`);
}

/** The customer paid; the shop learns of it only by asking the gateway (`payments`). */
function unheardPage(request: SimPaymentRequest, transaction: SimTransaction): string {
  return messagePage(
    'Payment completed',
    `${request.formattedAmount} ${request.currency.alpha} paid (order ${request.shopOrderId}, transaction ${transaction.transactionId}). Simulated: no callback was sent to the shop, as when its API was down or the browser closed during 3-D Secure; the shop finds this payment only by asking the gateway (payments by shop_orderid).`,
  );
}

function html(status: number, body: string): CustomerAnswer {
  return { status, html: body };
}
