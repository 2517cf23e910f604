/**
 * The checkout flow behind the payment page: the customer's choice opens a transaction, the shop is
 * asked to verify the order, the transaction settles, and the result callback's answer is what the
 * customer sees (docs/altapay-protocol.md §3.2, §3.3).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type CallbackDelivery, concludedState, type Delivery } from './callback-delivery';
import { callbackFields, type PaymentState, paymentStates, type SimTransaction } from './documents';
import type { ClickFault, FaultQueue } from './faults';
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
  /** Click faults queued for the next click (`failNext`, `POST /control/faults`). */
  readonly faults: FaultQueue;
  /** How long the gateway keeps the customer waiting for the shop's answer (`answerTimeoutMs`). */
  readonly answerTimeoutMs: number;
  /** Aborted when the simulator stops: a slow callback still waiting is not sent. */
  readonly signal: AbortSignal;
}

/**
 * What clicking `outcome` on the payment page of `paymentRequestId` does; returns what the customer sees.
 * `fault` applies to this click only; without it, the click takes the oldest click fault queued.
 */
export type Pay = (paymentRequestId: string, outcome: Outcome, fault?: ClickFault) => Promise<CustomerAnswer>;

export function checkout({ ledger, callbacks, secret, faults, answerTimeoutMs, signal }: CheckoutDeps): Pay {
  const completePayment = async (
    request: SimPaymentRequest,
    outcome: Outcome,
    fault: ClickFault | undefined,
  ): Promise<{ answer: CustomerAnswer; completed: boolean }> => {
    const kind = outcome.startsWith('open-') ? 'invoice' : outcome === 'cancel' ? 'no-card' : 'card';
    // ok-after-fail: the earlier, declined attempt whose callback_fail is delivered late (below).
    const staleId =
      fault?.fault === 'ok-after-fail'
        ? ledger.settle(
            ledger.openTransaction(request, 'card').transactionId,
            'declined',
            request.formattedAmount,
          ).transactionId
        : undefined;
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
      if (answer.status === undefined) return { answer: unanswered(answer, request), completed: false };
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

    let concludedEarly = false;
    let answer: CustomerAnswer;
    if (target === undefined || fault?.fault === 'callback-lost') {
      // callback-lost: the post never reaches the shop, so the customer gets the gateway's own page
      // and the shop learns of the payment only by asking (payments by shop_orderid).
      answer = html(200, resultPage(request, transaction, state));
    } else {
      const deliver = () => callbacks.deliverResult(callback, target, fields, request.cookie);
      switch (fault?.fault) {
        case 'callback-slow':
          answer = await slowResult(deliver, fault.seconds, request);
          break;
        case 'callback-twice': {
          // A second copy after the first was answered, as a gateway retrying a delivery it doubted.
          const first = await deliver();
          await callbacks.postOnce(callback, target, fields, request.cookie);
          answer = customerView(first, request);
          break;
        }
        case 'notification-before-ok': {
          // The final word first: a pending payment concludes at once, its callback_open arriving stale.
          const notification = request.config.callback_notification;
          if (notification !== undefined) {
            const final = state === 'open' ? concludedState(request.type, outcome === 'open-success') : state;
            const concluded =
              state === 'open'
                ? ledger.settle(transaction.transactionId, final, request.formattedAmount)
                : transaction;
            concludedEarly = state === 'open';
            await callbacks.postOnce(
              'notification',
              notification,
              callbacks.resultFields(request, concluded, final, firstCharge),
              request.cookie,
            );
          }
          answer = customerView(await deliver(), request);
          break;
        }
        case 'ok-after-fail': {
          // An earlier attempt at the same order (the id may be used up to four times, §9.4) was
          // declined; its callback_fail arrives just before this click's result callback.
          const failTarget = request.config.callback_fail;
          const stale = ledger.transactionsOf(request.shopOrderId).find((t) => t.transactionId === staleId);
          if (failTarget !== undefined && stale !== undefined) {
            await callbacks.postOnce(
              'fail',
              failTarget,
              callbacks.resultFields(request, stale, 'declined'),
              request.cookie,
            );
          }
          answer = customerView(await deliver(), request);
          break;
        }
        default:
          answer = customerView(await deliver(), request);
      }
    }
    if (state === 'open' && !concludedEarly)
      callbacks.scheduleNotification(request, transaction.transactionId, outcome === 'open-success');
    return { answer, completed };
  };

  /**
   * callback-slow: the gateway posts the result callback only after `seconds`. The customer waits for
   * it, but no longer than the gateway waits for any answer from the shop (`answerTimeoutMs`): past
   * that, the customer gets the gateway's "the shop did not answer in time" page, while the callback
   * is still posted, late, and recorded. The real gateway bounds the customer's wait the same way
   * (docs/altapay-protocol.md §2.3); what it does with a late callback is our choice (§12).
   */
  const slowResult = async (
    deliver: () => Promise<Delivery>,
    seconds: number,
    request: SimPaymentRequest,
  ): Promise<CustomerAnswer> => {
    const late = sleep(seconds * 1000, undefined, { signal }).then(deliver);
    late.catch(() => undefined); // Stopped before it was due: nothing is sent.
    const giveUp = new AbortController();
    const timedOut = sleep(answerTimeoutMs, 'timed-out' as const, {
      signal: AbortSignal.any([signal, giveUp.signal]),
    });
    timedOut.catch(() => undefined);
    const first = await Promise.race([late, timedOut]).finally(() => giveUp.abort());
    return first === 'timed-out' ? shopUnreachable(true, request) : customerView(first, request);
  };

  const pay = async (
    paymentRequestId: string,
    outcome: Outcome,
    fault?: ClickFault,
  ): Promise<CustomerAnswer> => {
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
      // A queued fault goes to a click that gets this far, not to one refused above.
      const result = await completePayment(request, outcome, fault ?? faults.takeClickFault());
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
  if (delivery.status === undefined) return unanswered(delivery, request);
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

function unanswered(delivery: Delivery, request: SimPaymentRequest): CustomerAnswer {
  return shopUnreachable(
    delivery.failure === 'answer-timeout' || delivery.failure === 'connect-timeout',
    request,
  );
}

/** The gateway's page when the shop did not answer a callback: in time (504), or at all (502). */
function shopUnreachable(timedOut: boolean, request: SimPaymentRequest): CustomerAnswer {
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
