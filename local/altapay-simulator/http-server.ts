/**
 * The simulator over HTTP: the Merchant API (HTTP Basic auth, failures injected on request), the
 * payment page and its form post, and an index of recent payment requests.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeFormBody } from '../../shared/altapay/form-body';
import { isApiMethod, isNotSimulated, openMethods } from './api-methods';
import type { Outcome, Pay } from './checkout';
import type { ControlActions } from './control-actions';
import { serveFaultControl } from './control-faults';
import { apiResponseXml, testCard } from './documents';
import {
  type ApiFailure,
  type ClickFault,
  FaultInputError,
  type FaultQueue,
  isClickFault,
  parseFault,
} from './faults';
import type { Ledger } from './ledger';
import { indexPage, messagePage, paymentPage } from './pages';

export interface SimulatorHttpDeps {
  readonly ledger: Ledger;
  /** HTTP Basic auth of the Merchant API. */
  readonly credentials: { readonly username: string; readonly password: string };
  /** The customer's click on the payment page. */
  readonly pay: Pay;
  /** The control API's actions on known payments (`/control/payments/…`, `/control/orders/…`). */
  readonly actions: ControlActions;
  /** Faults waiting for the next Merchant API call or click (docs/altapay-protocol.md §12). */
  readonly faults: FaultQueue;
  readonly log: (line: string) => void;
}

export interface SimulatorHttp {
  /** Not listening yet. */
  readonly server: Server;
  /** The next Merchant API call (of `method`, or any) fails this way: the API fault `api-<kind>`. */
  failNext(kind: ApiFailure, method?: string): void;
}

const maxRequestBytes = 1024 * 1024;
/**
 * The gateway's content type for Merchant API answers. sdk-php refuses any answer whose type does not
 * contain `text/xml` ("Non XML ContentType"); `application/xml` would fail every call it makes.
 */
const xmlContentType = 'text/xml; charset=utf-8';
/**
 * `/merchant/API/<method>`, as sdk-php and sdk-python build it, also under `/merchant.php/`, and with a
 * trailing slash, as api-php writes `payments/?…` and `login/?…`.
 */
const apiPath = /^\/merchant(?:\.php)?\/API\/([A-Za-z0-9]+)\/?$/;
/** api-php's UpdateReconciliationIdentifier posts to `API/updateOrder/{paymentId}/reconciliationIdentifier`. */
const reconciliationIdentifierPath =
  /^\/merchant(?:\.php)?\/API\/updateOrder\/[^/]+\/reconciliationIdentifier\/?$/;

export function simulatorHttp({
  ledger,
  credentials,
  pay,
  actions,
  faults,
  log,
}: SimulatorHttpDeps): SimulatorHttp {
  const expectedCredentials = sha256(`${credentials.username}:${credentials.password}`);

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
    if (isNotSimulated(method)) {
      // A real method: the gateway would answer it, so say what is missing instead of a bare 404.
      const xml = apiResponseXml({
        path,
        header: { errorCode: '501', errorMessage: `API/${method} is not simulated` },
      });
      return send(res, 200, xmlContentType, xml);
    }
    if (!isApiMethod(method)) {
      const xml = apiResponseXml({
        path,
        header: { errorCode: '404', errorMessage: `Unknown API method: ${method}` },
      });
      return send(res, 404, xmlContentType, xml);
    }
    // testConnection answers without credentials (api-php sends none), but is as down as any call.
    if (!openMethods.includes(method) && !isAuthorized(req.headers.authorization)) return unauthorized(res);
    const failure = faults.takeApiFault(method);
    switch (failure?.fault) {
      case 'api-unauthorized':
        return unauthorized(res);
      case 'api-down':
        // The connection drops before any answer, as from a gateway that is down behind its load balancer.
        req.socket.destroy();
        return;
      case 'api-timeout':
        // Never answer: the socket stays open until the client gives up or stop() drops it.
        req.resume();
        return;
      case 'api-http-500':
        return send(
          res,
          500,
          'text/html; charset=utf-8',
          '<html><body><h1>500 Internal Server Error</h1></body></html>\n',
        );
      case 'api-header-error':
        return send(
          res,
          200,
          xmlContentType,
          apiResponseXml({ path, header: { errorCode: '200', errorMessage: 'This request has error' } }),
        );
      case 'api-result-error':
        return send(
          res,
          200,
          xmlContentType,
          apiResponseXml({
            path,
            result: 'Error',
            merchantErrorMessage: 'Simulated error: the gateway could not process the request',
            cardHolderErrorMessage: 'The payment could not be processed.',
            cardHolderMessageMustBeShown: false,
          }),
        );
    }
    // Query parameters count for a POST too (sdk-python's post() may send them in the URL); a field of
    // the same name in the form body wins.
    const params = new Map(query);
    if (req.method === 'POST') {
      const body = await readBody(req);
      if (body === undefined) return send(res, 413, 'text/plain; charset=utf-8', 'Request body too large\n');
      try {
        for (const [name, value] of decodeFormBody(body)) params.set(name, value);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const xml = apiResponseXml({ path, header: { errorCode: '400', errorMessage: message } });
        return send(res, 400, xmlContentType, xml);
      }
    }
    const answer = ledger.call(method, params);
    // The socket stays open until the client gives up or stop() drops it.
    if (failure?.fault === 'api-answer-lost') return;
    if (failure?.fault === 'api-slow') {
      // Done at once, answered late: a caller that gives up first cannot know that it happened.
      const gone = new AbortController();
      res.on('close', () => gone.abort());
      const waited = await sleep(failure.seconds * 1000, true, { signal: gone.signal }).catch(() => false);
      if (!waited) return;
    }
    send(res, answer.status, xmlContentType, answer.xml);
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestUrl = new URL(req.url ?? '/', 'http://simulator.invalid');
    const path = requestUrl.pathname;
    const pid = requestUrl.searchParams.get('pid') ?? '';

    if (path.startsWith('/control/faults')) return serveFaultControl(req, res, path, faults);
    if (/^\/control\/(payments|orders)(\/|$)/.test(path)) return actions.serve(req, res, path);
    const apiMethod =
      apiPath.exec(path)?.[1] ??
      (reconciliationIdentifierPath.test(path) ? 'updateReconciliationIdentifier' : undefined);
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
    // The payment page also answers under `.php`, as the gateway's own links are written (api-php PaymentRequestTest).
    const pagePath = path.replace(/^\/eCommerce\.php\//, '/eCommerce/');
    if (pagePath === '/eCommerce/API/requestForm' && req.method === 'GET') {
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
    if (pagePath === '/eCommerce/API/pay' && req.method === 'POST') {
      const body = await readBody(req);
      if (body === undefined) return send(res, 413, 'text/plain; charset=utf-8', 'Request body too large\n');
      let form: ReadonlyMap<string, string> = new Map();
      try {
        form = decodeFormBody(body);
      } catch {
        // A broken form is an unknown choice; pay() answers it.
      }
      const fault = clickFaultOf(form);
      if (fault instanceof FaultInputError) {
        return send(res, 400, 'text/html; charset=utf-8', messagePage('Unknown fault', fault.message));
      }
      const answer = await pay(pid, (form.get('outcome') ?? '') as Outcome, fault);
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

  return {
    server,
    failNext(kind, method) {
      faults.push(parseFault({ fault: `api-${kind}`, method }));
    },
  };
}

/**
 * The payment page's "Rehearse a fault" choice (`fault`, with `seconds` for a slow callback): a click
 * fault for this click only, none when the field is empty, or why it cannot be one.
 */
function clickFaultOf(form: ReadonlyMap<string, string>): ClickFault | undefined | FaultInputError {
  const name = form.get('fault') ?? '';
  if (name === '') return undefined;
  try {
    // Only a slow callback reads the seconds field, which the page always sends; '' means none given.
    const seconds = name === 'callback-slow' ? (form.get('seconds') ?? '').trim() : '';
    const fault = parseFault({ fault: name, seconds: seconds === '' ? undefined : Number(seconds) });
    if (isClickFault(fault)) return fault;
    return new FaultInputError(
      `The payment page rehearses click faults only; ${name} is for the next API call.`,
    );
  } catch (error) {
    if (error instanceof FaultInputError) return error;
    throw error;
  }
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
