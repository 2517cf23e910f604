/**
 * The merchant's systems, for the local stack: the endpoint the worker POSTs payment events to
 * (`MERCHANT_WEBHOOK_URL`). It does what a merchant's handler should do: verifies each event's
 * Standard Webhooks signature with `verifyPaymentEvent` (the `standardwebhooks` library, not our signer)
 * against the raw body before believing it, and answers quickly.
 * It keeps what it received so tests can look, and can be told to fail.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { signingKeyBytes } from '../shared/webhooks/signature';
import { verifyPaymentEvent, WebhookSignatureError } from '../shared/webhooks/verify-event';
import { httpOrigin, listen } from './listen';

/** How the endpoint answers: 204, a 500, or never (the worker's request times out). */
export type MerchantAnswer = 'accept' | 'error' | 'hang';

export interface MerchantEndpointOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Defaults to 127.0.0.1. */
  readonly host?: string;
  /** The signing key (MERCHANT_WEBHOOK_SECRET, `whsec_…`); during a rotation, both keys. */
  readonly signingKey: string | readonly string[];
  /** Defaults to `/payment-events`. */
  readonly path?: string;
  /** One line per event; silent when absent. */
  readonly log?: (line: string) => void;
}

/** One POST the endpoint received. */
export interface ReceivedEvent {
  /** The event's `id` (`evt_…`), or '' when the body was not an event. */
  readonly id: string;
  /** The event's `type`, e.g. `payment.reserved`. */
  readonly type: string;
  /** `data.shopOrderId`, when present. */
  readonly shopOrderId?: string;
  /** The parsed JSON body (undefined when it was not JSON). */
  readonly body: unknown;
  readonly rawBody: string;
  readonly signatureOk: boolean;
  /** Why the signature was not believed. */
  readonly signatureError?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly receivedAt: Date;
  /** What the endpoint answered; undefined when it hung up without answering. */
  readonly status?: number;
}

/** A running merchant endpoint. */
export interface MerchantEndpoint {
  /** The full URL to configure as MERCHANT_WEBHOOK_URL. */
  readonly url: string;
  /** Every request, in arrival order, failed ones included. */
  readonly received: readonly ReceivedEvent[];
  /** The requests it accepted (204) with a good signature: what the merchant's systems acted on. */
  accepted(): readonly ReceivedEvent[];
  /**
   * How to answer from now on: for every event, or decided per event (e.g. fail one order only).
   * Default 'accept'.
   */
  answer(how: MerchantAnswer | ((event: ReceivedEvent) => MerchantAnswer)): void;
  /** Forgets what was received. */
  clear(): void;
  /** Resolves with the accepted events once `predicate` holds for them; rejects after `timeoutMs`. */
  waitFor(
    predicate: (accepted: readonly ReceivedEvent[]) => boolean,
    timeoutMs?: number,
  ): Promise<readonly ReceivedEvent[]>;
  /** Stops listening and drops held (hanging) requests. Safe to call twice. */
  stop(): Promise<void>;
}

const maxBodyBytes = 1024 * 1024;

/** Starts the endpoint and resolves once it listens. */
export async function startMerchantEndpoint(options: MerchantEndpointOptions): Promise<MerchantEndpoint> {
  // Fail closed at start-up: an unusable key would otherwise make every event look forged, or worse.
  for (const key of typeof options.signingKey === 'string' ? [options.signingKey] : options.signingKey) {
    signingKeyBytes(key);
  }
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/payment-events';
  const log = options.log ?? (() => {});
  const received: ReceivedEvent[] = [];
  let how: MerchantAnswer | ((event: ReceivedEvent) => MerchantAnswer) = 'accept';
  const listeners = new Set<() => void>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const requestPath = (req.url ?? '/').split('?')[0];
    if (requestPath !== path) return send(res, 404, `Not found; events go to POST ${path}\n`);
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return send(res, 405, 'Method not allowed\n');
    }
    const raw = await readBody(req);
    if (raw === undefined) return send(res, 413, 'Too large\n');

    // Verify the exact bytes received, before parsing: re-serialised JSON would not match.
    let signatureOk = false;
    let signatureError: string | undefined;
    let body: unknown;
    try {
      body = verifyPaymentEvent({ body: raw, headers: req.headers, keys: options.signingKey });
      signatureOk = true;
    } catch (error) {
      signatureError =
        error instanceof WebhookSignatureError ? `${error.reason}: ${error.message}` : String(error);
      body = parseJson(raw);
    }
    const event = describeEvent(body);
    const base = {
      ...event,
      body,
      rawBody: raw,
      signatureOk,
      ...(signatureError === undefined ? {} : { signatureError }),
      headers: Object.fromEntries(
        Object.entries(req.headers).map(([name, value]) => [
          name,
          Array.isArray(value) ? value.join(', ') : (value ?? ''),
        ]),
      ),
      receivedAt: new Date(),
    };
    const decision = typeof how === 'function' ? how(base) : how;
    const order = event.shopOrderId === undefined ? '' : ` for order ${event.shopOrderId}`;
    const what = `${event.type || 'a request'} ${event.id || '(no id)'}${order}`;
    if (!signatureOk) {
      // A merchant must not act on an event it cannot prove is ours: refuse it, the worker retries.
      record({ ...base, status: 401 });
      log(`merchant REFUSED ${what} (signature ${signatureError})`);
      return send(res, 401, 'Bad signature\n');
    }
    if (decision === 'hang') {
      record(base);
      log(`merchant received ${what} (signature ok) and does not answer (told to hang)`);
      // Never answered: the worker's request times out, or stop() drops the connection.
      req.socket.setTimeout(0);
      return;
    }
    const status = decision === 'error' ? 500 : 204;
    record({ ...base, status });
    log(
      status === 204
        ? `merchant received ${what} (signature ok)`
        : `merchant received ${what} (signature ok) and answers 500 (told to fail)`,
    );
    return send(res, status, status === 204 ? '' : 'Simulated merchant failure\n');
  };

  const record = (event: ReceivedEvent) => {
    received.push(event);
    for (const listener of listeners) listener();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`merchant endpoint failed: ${String(error)}`);
      if (!res.headersSent) send(res, 500, 'Internal error\n');
    });
  });
  const url = `${httpOrigin(host, await listen(server, options.port, host))}${path}`;
  const accepted = () => received.filter((e) => e.status === 204 && e.signatureOk);

  let stopped: Promise<void> | undefined;
  return {
    url,
    received,
    accepted,
    answer(next) {
      how = next;
    },
    clear() {
      received.length = 0;
    },
    waitFor(predicate, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const now = accepted();
          if (!predicate(now)) return false;
          done();
          resolve(now);
          return true;
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(`merchant endpoint: not there after ${timeoutMs} ms; accepted: ${summary(accepted())}`),
          );
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(listener);
        };
        const listener = () => {
          check();
        };
        listeners.add(listener);
        check();
      });
    },
    stop() {
      stopped ??= new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

function describeEvent(body: unknown): { id: string; type: string; shopOrderId?: string } {
  if (typeof body !== 'object' || body === null) return { id: '', type: '' };
  const id = Reflect.get(body, 'id');
  const type = Reflect.get(body, 'type');
  const data: unknown = Reflect.get(body, 'data');
  const shopOrderId =
    typeof data === 'object' && data !== null ? Reflect.get(data, 'shopOrderId') : undefined;
  return {
    id: typeof id === 'string' ? id : '',
    type: typeof type === 'string' ? type : '',
    ...(typeof shopOrderId === 'string' ? { shopOrderId } : {}),
  };
}

function summary(events: readonly ReceivedEvent[]): string {
  if (events.length === 0) return 'none';
  return events.map((e) => `${e.type} ${e.shopOrderId ?? '?'}`).join(', ');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    req.once('end', () => resolve(size > maxBodyBytes ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function send(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  if (text !== '') res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(text);
}
