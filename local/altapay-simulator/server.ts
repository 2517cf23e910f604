/**
 * A local AltaPay gateway that speaks the real protocol (reference §1-§7): the Merchant API with
 * HTTP Basic auth, the payment page the customer is sent to, and the callbacks posted to the
 * merchant, whose answers the customer then sees. It knows nothing of the merchant's internals.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeFormBody } from '../../shared/altapay/form-body';
import type { CallbackType } from '../../shared/payments/payment';
import { httpOrigin, listen } from '../listen';
import {
  apiResponseXml,
  callbackFields,
  type PaymentState,
  paymentStates,
  type SimTransaction,
  stateCallbackFields,
  testCard,
} from './documents';
import { type PostFailure, postForm } from './http-client';
import { type ApiMethod, apiMethods, Ledger, type SimPaymentRequest } from './ledger';
import { indexPage, messagePage, outcomeLabels, paymentPage, refusalText, stripScripts } from './pages';

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

/** What the customer can click on the payment page. */
export type Outcome = 'success' | 'decline' | '3ds-failure' | 'cancel' | 'open-success' | 'open-failure';

/** Every Outcome, in the order of the payment page. */
export const outcomes = Object.keys(outcomeLabels) as readonly Outcome[];

/** Where the gateway posts: the four result callbacks (CallbackType) and the verify-order question. */
export type GatewayPost = CallbackType | 'verify_order';

/** Failure kinds `failNext` can inject into the next Merchant API call. */
export type ApiFailure = 'header-error' | 'result-error' | 'unauthorized' | 'timeout' | 'http-500';

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

/** What the customer's browser gets from the gateway after clicking an outcome. */
export interface CustomerAnswer {
  readonly status: number;
  /** Set with a 303: where the browser goes next (absolute). */
  readonly location?: string;
  readonly html?: string;
}

/** A running simulator. */
export interface GatewaySimulator {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:3001`. */
  readonly url: string;
  /** Stops listening, drops held connections, cancels pending notifications and deliveries. */
  stop(): Promise<void>;
  /** The next Merchant API call (of `method`, or any) fails this way: for create-payment error tests. */
  failNext(kind: ApiFailure, method?: string): void;
  /** How callbacks are delivered; tests change it: each callback sent `repeat` times (concurrently), after `delayMs`. */
  readonly delivery: { repeat: number; delayMs: number };
  /** Every callback POST made, in the order the answers came back. */
  readonly deliveries: readonly Delivery[];
  /** Re-POSTs the last callback of that type for the order exactly as first sent (a duplicate, or out of order). */
  resend(shopOrderId: string, callbackType: 'ok' | 'fail' | 'open' | 'notification'): Promise<Delivery>;
  /** Does what clicking an outcome on the payment page does, without a browser; returns what the customer would see. */
  pay(paymentRequestId: string, outcome: Outcome): Promise<CustomerAnswer>;
  /** A snapshot of a payment request, or undefined when unknown. */
  paymentRequest(id: string): SimPaymentRequest | undefined;
  /** Snapshots of the order's transactions in their current state, oldest first. */
  transactions(shopOrderId: string): readonly SimTransaction[];
}

const maxRequestBytes = 1024 * 1024;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/** Starts the simulator and resolves once it listens. */
export async function startGatewaySimulator(options: SimulatorOptions): Promise<GatewaySimulator> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const notificationDelayMs = options.notificationDelayMs ?? 5000;
  const timeouts = {
    connectTimeoutMs: options.connectTimeoutMs ?? 7000,
    answerTimeoutMs: options.answerTimeoutMs ?? 28_000,
  };
  const secret = options.callbackSecret;
  const expectedCredentials = sha256(`${options.credentials.username}:${options.credentials.password}`);

  let url = '';
  const ledger = new Ledger({
    baseUrl: () => url,
    terminals: options.terminals ?? ['AltaPay Test Terminal'],
  });
  const delivery = { repeat: 1, delayMs: 0 };
  const deliveries: Delivery[] = [];
  const pendingFailures: { kind: ApiFailure; method?: string }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const shutdown = new AbortController();

  // --- callbacks ----------------------------------------------------------------------------------

  const postOnce = async (
    type: GatewayPost,
    target: string,
    fields: Readonly<Record<string, string>>,
    cookie: string | undefined,
  ): Promise<Delivery> => {
    const startedAt = new Date();
    const outcome = await postForm(target, fields, {
      ...timeouts,
      signal: shutdown.signal,
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

  /** A result callback, honouring `delivery`: the customer sees the answer to the first copy. */
  const deliverResult = async (
    type: GatewayPost,
    target: string,
    fields: Record<string, string>,
    cookie: string | undefined,
  ): Promise<Delivery> => {
    const { repeat, delayMs } = delivery;
    if (delayMs > 0) await sleep(delayMs, undefined, { signal: shutdown.signal }).catch(() => undefined);
    const copies = Math.max(1, Math.floor(repeat));
    const sent = await Promise.all(
      Array.from({ length: copies }, () => postOnce(type, target, fields, cookie)),
    );
    return sent[0] as Delivery;
  };

  const resultFields = (request: SimPaymentRequest, transaction: SimTransaction, state: PaymentState) =>
    stateCallbackFields(state, { transaction, secret, type: request.type, amount: request.amount });

  const scheduleNotification = (request: SimPaymentRequest, transactionId: string, succeeds: boolean) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (shutdown.signal.aborted) return;
      const state: PaymentState = succeeds
        ? request.type === 'paymentAndCapture'
          ? 'captured'
          : 'reserved'
        : 'open-declined';
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

  // --- the customer's click -----------------------------------------------------------------------

  const completePayment = async (
    request: SimPaymentRequest,
    outcome: Outcome,
  ): Promise<{ answer: CustomerAnswer; completed: boolean }> => {
    const kind = outcome.startsWith('open-') ? 'invoice' : outcome === 'cancel' ? 'no-card' : 'card';
    const created = ledger.openTransaction(request, kind);

    const verifyUrl = request.config.callback_verify_order;
    if (verifyUrl !== undefined) {
      const fields = callbackFields({
        transaction: created,
        status: 'open',
        result: 'Created',
        requireCapture: false,
        secret,
        type: request.type,
        amount: request.amount,
      });
      const answer = await postOnce('verify_order', verifyUrl, fields, request.cookie);
      if (answer.status === undefined) return { answer: shopUnreachable(answer, request), completed: false };
      // Exactly 'OKAY' (reference §6.8): 'OK', 'okay' or 'OKAY\n' stop the payment.
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
    const callback = state === 'open' ? 'open' : paymentStates[state].money === 'none' ? 'fail' : 'ok';
    const completed = callback !== 'fail';
    const target = request.config[`callback_${callback}`];
    const fields = resultFields(request, transaction, state);

    let answer: CustomerAnswer;
    if (target === undefined) {
      answer = html(200, resultPage(request, transaction, state));
    } else {
      answer = customerView(await deliverResult(callback, target, fields, request.cookie), request);
    }
    if (state === 'open')
      scheduleNotification(request, transaction.transactionId, outcome === 'open-success');
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
    if (request.state === 'completed') {
      return html(
        409,
        messagePage('Payment already completed', 'This payment request has already been paid.'),
      );
    }
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

  // --- HTTP ---------------------------------------------------------------------------------------

  const isAuthorized = (header: string | undefined): boolean => {
    const encoded = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '')?.[1];
    if (encoded === undefined) return false;
    return timingSafeEqual(sha256(Buffer.from(encoded, 'base64').toString('utf8')), expectedCredentials);
  };

  const serveApi = async (
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    query: URLSearchParams,
  ) => {
    const path = `API/${method}`;
    if (!(apiMethods as readonly string[]).includes(method)) {
      const xml = apiResponseXml({
        path,
        header: { errorCode: '404', errorMessage: `Unknown API method: ${method}` },
      });
      return send(res, 404, 'application/xml; charset=utf-8', xml);
    }
    if (!isAuthorized(req.headers.authorization)) return unauthorized(res);
    const failureIndex = pendingFailures.findIndex((f) => f.method === undefined || f.method === method);
    const failure = failureIndex === -1 ? undefined : pendingFailures.splice(failureIndex, 1)[0];
    switch (failure?.kind) {
      case 'unauthorized':
        return unauthorized(res);
      case 'timeout':
        // Never answer: the socket stays open until the client gives up or stop() drops it.
        req.resume();
        return;
      case 'http-500':
        return send(
          res,
          500,
          'text/html; charset=utf-8',
          '<html><body><h1>500 Internal Server Error</h1></body></html>\n',
        );
      case 'header-error':
        return send(
          res,
          200,
          'application/xml; charset=utf-8',
          apiResponseXml({ path, header: { errorCode: '200', errorMessage: 'This request has error' } }),
        );
      case 'result-error':
        return send(
          res,
          200,
          'application/xml; charset=utf-8',
          apiResponseXml({
            path,
            result: 'Error',
            merchantErrorMessage: 'Simulated error: the gateway could not process the request',
            cardHolderErrorMessage: 'The payment could not be processed.',
            cardHolderMessageMustBeShown: false,
          }),
        );
    }
    let params: ReadonlyMap<string, string>;
    if (req.method === 'POST') {
      const body = await readBody(req);
      if (body === undefined) return send(res, 413, 'text/plain; charset=utf-8', 'Request body too large\n');
      try {
        params = decodeFormBody(body);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const xml = apiResponseXml({ path, header: { errorCode: '400', errorMessage: message } });
        return send(res, 400, 'application/xml; charset=utf-8', xml);
      }
    } else {
      params = new Map(query);
    }
    const answer = ledger.call(method as ApiMethod, params);
    send(res, answer.status, 'application/xml; charset=utf-8', answer.xml);
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestUrl = new URL(req.url ?? '/', 'http://simulator.invalid');
    const path = requestUrl.pathname;
    const pid = requestUrl.searchParams.get('pid') ?? '';

    const apiMethod = /^\/merchant(?:\.php)?\/API\/([A-Za-z]+)$/.exec(path)?.[1];
    if (apiMethod !== undefined && (req.method === 'POST' || req.method === 'GET')) {
      return serveApi(req, res, apiMethod, requestUrl.searchParams);
    }
    if (path === '/' && req.method === 'GET') {
      const rows = ledger.recentRequests(50).map((r) => ({
        id: r.id,
        shopOrderId: r.shopOrderId,
        amount: r.formattedAmount,
        currencyAlpha: r.currency.alpha,
        state: r.state,
      }));
      return send(res, 200, 'text/html; charset=utf-8', indexPage(rows));
    }
    if (path === '/eCommerce/API/requestForm' && req.method === 'GET') {
      const request = ledger.request(pid);
      if (request === undefined) {
        return send(
          res,
          404,
          'text/html; charset=utf-8',
          messagePage('Payment not found', 'There is no payment request with this id.'),
        );
      }
      const page = paymentPage({
        id: request.id,
        terminal: request.terminal,
        shopOrderId: request.shopOrderId,
        amount: request.formattedAmount,
        currencyAlpha: request.currency.alpha,
        type: request.type,
        maskedPan: testCard.maskedPan,
      });
      return send(res, 200, 'text/html; charset=utf-8', page);
    }
    if (path === '/eCommerce/API/pay' && req.method === 'POST') {
      const body = await readBody(req);
      if (body === undefined) return send(res, 413, 'text/plain; charset=utf-8', 'Request body too large\n');
      let outcome = '';
      try {
        outcome = decodeFormBody(body).get('outcome') ?? '';
      } catch {
        // A broken form is an unknown choice; pay() answers it.
      }
      const answer = await pay(pid, outcome as Outcome);
      if (answer.location !== undefined) {
        res.statusCode = answer.status;
        res.setHeader('location', answer.location);
        res.setHeader('cache-control', 'no-store');
        res.end();
        return;
      }
      return send(res, answer.status, 'text/html; charset=utf-8', answer.html ?? '');
    }
    send(res, 404, 'text/html; charset=utf-8', messagePage('Not found', `Nothing is served at ${path}.`));
  };

  const server = createServer((req, res) => {
    const started = Date.now();
    res.on('close', () => {
      const status = res.writableFinished ? String(res.statusCode) : 'no answer';
      log(`${req.method} ${req.url} -> ${status} (${Date.now() - started} ms)`);
    });
    route(req, res).catch((error: unknown) => {
      log(`${req.method} ${req.url} failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent)
        send(res, 500, 'text/html; charset=utf-8', messagePage('Gateway error', 'The simulator failed.'));
      else res.destroy();
    });
  });

  url = httpOrigin(host, await listen(server, options.port, host));

  let stopped: Promise<void> | undefined;
  return {
    url,
    delivery,
    deliveries,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        shutdown.abort();
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
    failNext(kind, method) {
      pendingFailures.push({ kind, ...(method === undefined ? {} : { method }) });
    },
    async resend(shopOrderId, callbackType) {
      const original = deliveries.findLast(
        (d) => d.type === callbackType && d.fields.shop_orderid === shopOrderId,
      );
      if (original === undefined)
        throw new Error(`No ${callbackType} callback was sent for order ${shopOrderId}`);
      return postOnce(callbackType, original.url, original.fields, original.cookie);
    },
    pay,
    paymentRequest(id) {
      const request = ledger.request(id);
      return request === undefined ? undefined : structuredClone(request);
    },
    transactions(shopOrderId) {
      return ledger.transactionsOf(shopOrderId).map((t) => structuredClone(t));
    },
  };
}

// --- helpers --------------------------------------------------------------------------------------

function stateOf(outcome: Outcome, type: SimPaymentRequest['type']): PaymentState {
  switch (outcome) {
    case 'success':
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

/** What the customer sees for a callback answer (reference §2: 200 HTML with scripts stripped, or 30X). */
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
  if (spec.money !== 'none') return messagePage('Payment completed', `${amount} paid (${order}).`);
  if (state === 'open') return messagePage('Payment pending', `${amount} is being processed (${order}).`);
  if (state === 'cancelled') return messagePage('Payment cancelled', `No money was taken (${order}).`);
  const reason = spec.mustBeShown && spec.cardHolderErrorMessage ? `${spec.cardHolderErrorMessage} ` : '';
  return messagePage('Payment failed', `${reason}No money was taken (${order}).`);
}

function html(status: number, body: string): CustomerAnswer {
  return { status, html: body };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  const payload = Buffer.from(body, 'utf8');
  res.statusCode = status;
  res.setHeader('content-type', contentType);
  res.setHeader('content-length', payload.length);
  res.end(payload);
}

function unauthorized(res: ServerResponse): void {
  res.setHeader('www-authenticate', 'Basic realm="AltaPay Merchant API"');
  send(res, 401, 'text/plain; charset=utf-8', 'Unauthorized\n');
}

/** The request body, or undefined when it exceeds the limit (the rest is not read). */
async function readBody(req: IncomingMessage): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxRequestBytes) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
