/**
 * The gateway's side of a callback POST: a form body to the merchant's URL with the gateway's two timeouts
 * (docs/altapay-protocol.md §2.3: 7 s to resolve and connect, 28 s to answer), no redirect following (the
 * customer's browser follows them, not the gateway) and a cap on what it reads back.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { encodeFormBody } from '../../shared/altapay/form-body';

/** Callback pages may use up to 2 MB (docs/altapay-protocol.md §3.2); anything larger is not read. */
const maxAnswerBytes = 2 * 1024 * 1024;

const networkErrors: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused (is the server running?)',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name could not be resolved',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** What the merchant's server answered. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Why there is no answer. */
export type PostFailure = 'connect-timeout' | 'answer-timeout' | 'unreachable' | 'too-large' | 'aborted';

/** Either the merchant's answer or why there is none, with a one-line explanation. */
export type PostOutcome =
  | { readonly ok: true; readonly answer: HttpAnswer }
  | { readonly ok: false; readonly failure: PostFailure; readonly message: string };

/** How to POST: the gateway's timeouts, the merchant's `cookie` and a signal that cancels at shutdown. */
export interface PostOptions {
  readonly connectTimeoutMs: number;
  readonly answerTimeoutMs: number;
  readonly cookie?: string;
  readonly signal?: AbortSignal;
}

/** POSTs `fields` form-encoded to `url`; never throws, every problem is a PostOutcome. */
export function postForm(
  url: string,
  fields: Readonly<Record<string, string>>,
  options: PostOptions,
): Promise<PostOutcome> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ ok: false, failure: 'unreachable', message: `not a URL: ${url}` });
      return;
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      resolve({ ok: false, failure: 'unreachable', message: `unsupported protocol ${target.protocol}` });
      return;
    }
    const body = Buffer.from(encodeFormBody(fields), 'utf8');
    const headers: Record<string, string | number> = {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'content-length': body.length,
      'user-agent': 'AltaPay-Simulator/1.0',
    };
    if (options.cookie !== undefined && options.cookie !== '') headers.cookie = options.cookie;

    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      resolve(outcome);
    };
    const giveUp = (failure: PostFailure, message: string) => {
      finish({ ok: false, failure, message });
      req.destroy();
    };

    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    // A fresh connection per callback: a pooled socket would skip the connect phase and its timeout.
    const req = send(target, { method: 'POST', headers, agent: false });
    timers.push(
      setTimeout(
        () => giveUp('connect-timeout', `could not connect within ${options.connectTimeoutMs} ms`),
        options.connectTimeoutMs,
      ),
    );
    req.on('socket', (socket) => {
      socket.once(target.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
        for (const timer of timers.splice(0)) clearTimeout(timer);
        timers.push(
          setTimeout(
            () => giveUp('answer-timeout', `no complete answer within ${options.answerTimeoutMs} ms`),
            options.answerTimeoutMs,
          ),
        );
      });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxAnswerBytes) return giveUp('too-large', `answer larger than ${maxAnswerBytes} bytes`);
        chunks.push(chunk);
      });
      res.on('end', () => {
        const text = new TextDecoder('utf-8').decode(Buffer.concat(chunks));
        finish({ ok: true, answer: { status: res.statusCode ?? 0, headers: res.headers, body: text } });
      });
      res.on('error', (error) => finish({ ok: false, failure: 'unreachable', message: error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      const known = error.code === undefined ? undefined : networkErrors[error.code];
      finish({ ok: false, failure: 'unreachable', message: known ?? error.code ?? error.message });
    });

    if (options.signal !== undefined) {
      if (options.signal.aborted) return giveUp('aborted', 'the simulator is stopping');
      const onAbort = () => giveUp('aborted', 'the simulator is stopping');
      options.signal.addEventListener('abort', onAbort, { once: true });
      req.on('close', () => options.signal?.removeEventListener('abort', onAbort));
    }
    req.end(body);
  });
}
