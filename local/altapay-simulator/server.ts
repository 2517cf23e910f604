/**
 * A local AltaPay gateway that speaks the real protocol (docs/altapay-protocol.md §2–§8): the Merchant API with
 * HTTP Basic auth, the payment page the customer is sent to, and the callbacks posted to the
 * merchant, whose answers the customer then sees. It knows nothing of the merchant's internals.
 */
import { setMaxListeners } from 'node:events';
import { httpOrigin, listen } from '../listen';
import { type CallbackDelivery, callbackDelivery } from './callback-delivery';
import { checkout, type Pay } from './checkout';
import { type ControlActions, controlActions } from './control-actions';
import type { SimTransaction } from './documents';
import { FaultQueue } from './faults';
import { type SimulatorHttp, simulatorHttp } from './http-server';
import { Ledger, type SimOperation, type SimPaymentRequest } from './ledger';

/** How to run the simulator. */
export interface SimulatorOptions {
  /** 0 picks a free port. */
  port: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** HTTP Basic auth of the Merchant API. */
  credentials: { username: string; password: string };
  /** Terminals createPaymentRequest accepts; default ['AltaPay Test Terminal']. */
  terminals?: readonly string[];
  /** The terminal's shared secret: when set, every callback carries `checksum`. */
  callbackSecret?: string;
  /** Open payments conclude (callback_notification) this long after callback_open; default 5000. */
  notificationDelayMs?: number;
  /** The gateway's limits for reaching the merchant: 7000 ms to connect, 28000 ms to answer. */
  connectTimeoutMs?: number;
  answerTimeoutMs?: number;
  /** One line per request and per callback delivery; silent by default. */
  log?: (line: string) => void;
}

/** A running simulator. */
export interface GatewaySimulator {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:3001`. */
  readonly url: string;
  /** Stops listening, drops held connections, cancels pending notifications and deliveries. */
  stop(): Promise<void>;
  /** The next Merchant API call (of `method`, or any) fails this way: for create-payment error tests. */
  readonly failNext: SimulatorHttp['failNext'];
  /** Faults waiting for the next click or Merchant API call; `POST /control/faults` queues on it too. */
  readonly faults: FaultQueue;
  /** How callbacks are delivered; tests change it: each callback sent `repeat` times (concurrently), after `delayMs`. */
  readonly delivery: CallbackDelivery['delivery'];
  /** Every callback POST made, in the order the answers came back. */
  readonly deliveries: CallbackDelivery['deliveries'];
  /** Re-POSTs the last callback of that type for the order exactly as first sent (a duplicate, or out of order). */
  readonly resend: CallbackDelivery['resend'];
  /** Does what clicking an outcome on the payment page does, without a browser; returns what the customer would see. */
  readonly pay: Pay;
  /** What the gateway does on its own side to an order's payment (pay, decline, refund, chargeback); the control API's actions. */
  readonly orderAction: ControlActions['orderAction'];
  /** A snapshot of a payment request, or undefined when unknown. */
  paymentRequest(id: string): SimPaymentRequest | undefined;
  /** Snapshots of every payment request made for the order, oldest first: none when nobody asked. */
  paymentRequestsFor(shopOrderId: string): readonly SimPaymentRequest[];
  /** Snapshots of the order's transactions in their current state, oldest first. */
  transactions(shopOrderId: string): readonly SimTransaction[];
  /** The order's captures, refunds and releases as the merchant sent them (amounts, order lines), oldest first. */
  operations(shopOrderId: string): readonly SimOperation[];
}

/** Starts the simulator and resolves once it listens. */
export async function startGatewaySimulator(options: SimulatorOptions): Promise<GatewaySimulator> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const secret = options.callbackSecret;
  const shutdown = new AbortController();
  // Every callback in flight and every late one waiting listens for the stop: a busy run has more than
  // Node's default of ten at once, which is not a leak.
  setMaxListeners(0, shutdown.signal);

  let url = '';
  const ledger = new Ledger({
    baseUrl: () => url,
    terminals: options.terminals ?? ['AltaPay Test Terminal'],
  });
  const faults = new FaultQueue();
  const answerTimeoutMs = options.answerTimeoutMs ?? 28_000;
  const callbacks = callbackDelivery({
    ledger,
    secret,
    timeouts: { connectTimeoutMs: options.connectTimeoutMs ?? 7000, answerTimeoutMs },
    notificationDelayMs: options.notificationDelayMs ?? 5000,
    signal: shutdown.signal,
    log,
  });
  const pay = checkout({ ledger, callbacks, secret, faults, answerTimeoutMs, signal: shutdown.signal });
  const actions = controlActions({ ledger, callbacks, pay, secret, log });
  const { server, failNext } = simulatorHttp({
    ledger,
    credentials: options.credentials,
    pay,
    actions,
    faults,
    log,
  });

  url = httpOrigin(host, await listen(server, options.port, host));

  let stopped: Promise<void> | undefined;
  return {
    url,
    delivery: callbacks.delivery,
    deliveries: callbacks.deliveries,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        shutdown.abort();
        callbacks.cancelNotifications();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
    failNext,
    faults,
    resend: callbacks.resend,
    pay,
    orderAction: actions.orderAction,
    paymentRequest(id) {
      const request = ledger.request(id);
      return request === undefined ? undefined : structuredClone(request);
    },
    paymentRequestsFor(shopOrderId) {
      return ledger
        .recentRequests(Number.POSITIVE_INFINITY)
        .filter((request) => request.shopOrderId === shopOrderId)
        .reverse()
        .map((request) => structuredClone(request));
    },
    transactions(shopOrderId) {
      return ledger.transactionsOf(shopOrderId).map((t) => structuredClone(t));
    },
    operations(shopOrderId) {
      return ledger.operationsOf(shopOrderId).map((o) => structuredClone(o));
    },
  };
}
