/**
 * The gateway's side of the callbacks: it posts each one to the merchant (within its timeouts, the
 * payment request's cookie attached), records what came back, and concludes open payments later with
 * callback_notification.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CallbackType } from '../../shared/payments/payment';
import { type PaymentState, type SimTransaction, stateCallbackFields } from './documents';
import { type PostFailure, postForm } from './http-client';
import type { Ledger, SimPaymentRequest } from './ledger';

/** Where the gateway posts: the four result callbacks (CallbackType) and the verify-order question. */
export type GatewayPost = CallbackType | 'verify_order';

/** One callback POST the simulator made and what came back. */
export interface Delivery {
  readonly type: GatewayPost;
  readonly url: string;
  /** The posted form fields, `xml` and `checksum` included, exactly as sent. */
  readonly fields: Readonly<Record<string, string>>;
  /** The `Cookie:` header sent (the payment request's `cookie` parameter). */
  readonly cookie?: string;
  /** The merchant's HTTP status; undefined when there was no answer (see `failure`). */
  readonly status?: number;
  readonly location?: string;
  readonly contentType?: string;
  /** The answer body ('' without an answer). */
  readonly body: string;
  readonly failure?: PostFailure;
  readonly error?: string;
  readonly startedAt: Date;
  readonly durationMs: number;
}

export interface CallbackDeliveryOptions {
  readonly ledger: Ledger;
  /** The terminal's shared secret: when set, every callback carries `checksum`. */
  readonly secret: string | undefined;
  /** The gateway's limits for reaching the merchant. */
  readonly timeouts: { readonly connectTimeoutMs: number; readonly answerTimeoutMs: number };
  /** Open payments conclude (callback_notification) this long after callback_open. */
  readonly notificationDelayMs: number;
  /** Aborted when the simulator stops: posts in flight end, no notification is sent any more. */
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
}

/** Posts callbacks and keeps the record of every delivery. */
export interface CallbackDelivery {
  /** Each result callback is sent `repeat` times (concurrently), after `delayMs`; tests change it. */
  readonly delivery: { repeat: number; delayMs: number };
  /** Every callback POST made, in the order the answers came back. */
  readonly deliveries: readonly Delivery[];
  /** One POST of `fields` to `target`, recorded. */
  postOnce(
    type: GatewayPost,
    target: string,
    fields: Readonly<Record<string, string>>,
    cookie: string | undefined,
  ): Promise<Delivery>;
  /** A result callback, honouring `delivery`: the customer sees the answer to the first copy. */
  deliverResult(
    type: GatewayPost,
    target: string,
    fields: Record<string, string>,
    cookie: string | undefined,
  ): Promise<Delivery>;
  /** The fields of the result callback for a payment request whose transaction reached `state`. */
  resultFields(
    request: SimPaymentRequest,
    transaction: SimTransaction,
    state: PaymentState,
    /** Listed after `transaction` in the `xml` field: a new agreement's first charge. */
    alongside?: readonly SimTransaction[],
  ): Record<string, string>;
  /** Concludes an open payment after `notificationDelayMs` and posts its callback_notification. */
  scheduleNotification(request: SimPaymentRequest, transactionId: string, succeeds: boolean): void;
  /** Re-POSTs the last callback of that type for the order exactly as first sent (a duplicate, or out of order). */
  resend(shopOrderId: string, callbackType: 'ok' | 'fail' | 'open' | 'notification'): Promise<Delivery>;
  /** Cancels the notifications not sent yet. */
  cancelNotifications(): void;
}

/** The state an open payment concludes in: paid as its type pays, or declined. */
export function concludedState(type: SimPaymentRequest['type'], succeeds: boolean): PaymentState {
  if (!succeeds) return 'open-declined';
  return type === 'paymentAndCapture' ? 'captured' : 'reserved';
}

export function callbackDelivery(options: CallbackDeliveryOptions): CallbackDelivery {
  const { ledger, secret, timeouts, notificationDelayMs, signal, log } = options;
  const delivery = { repeat: 1, delayMs: 0 };
  const deliveries: Delivery[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const postOnce = async (
    type: GatewayPost,
    target: string,
    fields: Readonly<Record<string, string>>,
    cookie: string | undefined,
  ): Promise<Delivery> => {
    const startedAt = new Date();
    const outcome = await postForm(target, fields, {
      ...timeouts,
      signal,
      ...(cookie === undefined ? {} : { cookie }),
    });
    const durationMs = Date.now() - startedAt.getTime();
    const common = {
      type,
      url: target,
      fields,
      ...(cookie === undefined ? {} : { cookie }),
      startedAt,
      durationMs,
    };
    let record: Delivery;
    if (outcome.ok) {
      const { status, headers, body } = outcome.answer;
      const location = headers.location;
      const contentType = headers['content-type'];
      record = {
        ...common,
        status,
        ...(location === undefined ? {} : { location }),
        ...(contentType === undefined ? {} : { contentType }),
        body,
      };
    } else {
      record = { ...common, body: '', failure: outcome.failure, error: outcome.message };
    }
    deliveries.push(record);
    const result = record.status === undefined ? `${record.failure}: ${record.error}` : String(record.status);
    log(`callback ${type} ${fields.shop_orderid ?? ''} -> ${target}: ${result} (${durationMs} ms)`);
    return record;
  };

  const deliverResult = async (
    type: GatewayPost,
    target: string,
    fields: Record<string, string>,
    cookie: string | undefined,
  ): Promise<Delivery> => {
    const { repeat, delayMs } = delivery;
    if (delayMs > 0) await sleep(delayMs, undefined, { signal }).catch(() => undefined);
    const copies = Math.max(1, Math.floor(repeat));
    const sent = await Promise.all(
      Array.from({ length: copies }, () => postOnce(type, target, fields, cookie)),
    );
    return sent[0] as Delivery;
  };

  const resultFields = (
    request: SimPaymentRequest,
    transaction: SimTransaction,
    state: PaymentState,
    alongside?: readonly SimTransaction[],
  ) =>
    stateCallbackFields(state, {
      transaction,
      secret,
      type: request.type,
      amount: request.amount,
      ...(alongside === undefined ? {} : { alongside }),
    });

  const scheduleNotification = (request: SimPaymentRequest, transactionId: string, succeeds: boolean) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (signal.aborted) return;
      const state = concludedState(request.type, succeeds);
      const transaction = ledger.settle(transactionId, state, request.formattedAmount);
      const target = request.config.callback_notification;
      if (target === undefined) {
        log(
          `notification ${request.shopOrderId}: ${transaction.transactionStatus} (no callback_notification configured)`,
        );
        return;
      }
      deliverResult('notification', target, resultFields(request, transaction, state), request.cookie).catch(
        (error: unknown) => log(`notification ${request.shopOrderId} failed: ${String(error)}`),
      );
    }, notificationDelayMs);
    timers.add(timer);
  };

  return {
    delivery,
    deliveries,
    postOnce,
    deliverResult,
    resultFields,
    scheduleNotification,
    async resend(shopOrderId, callbackType) {
      const original = deliveries.findLast(
        (d) => d.type === callbackType && d.fields.shop_orderid === shopOrderId,
      );
      if (original === undefined)
        throw new Error(`No ${callbackType} callback was sent for order ${shopOrderId}`);
      return postOnce(callbackType, original.url, original.fields, original.cookie);
    },
    cancelNotifications() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
