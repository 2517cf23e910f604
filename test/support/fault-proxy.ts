/**
 * An HTTP proxy on loopback in front of an emulator (dynalite, local-aws-sqs), switchable at run time
 * between working and failing the ways AWS services fail, so tests can take a dependency away from
 * the handlers while the test itself still reaches the emulator directly.
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * - `pass`: forwards everything.
 * - `down`: a dead service: every connection is reset as soon as it opens (kept-alive ones too).
 * - `slow`: forwards after `delayMs` (default 3000: beyond the handlers' 2 s request timeout).
 * - `error`: answers 500 InternalFailure, as a service having a bad moment.
 * - `throttle`: answers the service's own throttling error (DynamoDB: 400
 *   ProvisionedThroughputExceededException; SQS: 400 RequestThrottled).
 */
export type FaultMode = 'pass' | 'down' | 'slow' | 'error' | 'throttle';

export interface FaultProxyOptions {
  /** The emulator's base URL, e.g. `http://127.0.0.1:4567`. */
  readonly target: string;
  /** Which service's error bodies to answer with; `http` (the AltaPay gateway) gets plain 500 / 503. */
  readonly service: 'dynamodb' | 'sqs' | 'http';
  readonly mode?: FaultMode;
  readonly delayMs?: number;
}

/** A running proxy. */
export interface FaultProxy {
  /** Point a client here instead of at the target. */
  readonly url: string;
  readonly target: string;
  readonly mode: FaultMode;
  /** Switches the mode; existing connections are reset so no pooled socket keeps the old behaviour. */
  set(mode: FaultMode, options?: { readonly delayMs?: number }): void;
  /** Requests (or, when down, connections) seen in each mode since start. */
  readonly counts: Readonly<Record<FaultMode, number>>;
  close(): Promise<void>;
}

const throttleBodies = {
  dynamodb: {
    __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message:
      'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  },
  sqs: { __type: 'com.amazonaws.sqs#RequestThrottled', message: 'Request is throttled.' },
} as const;

const errorBodies = {
  dynamodb: {
    __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
    message: 'Internal server error',
  },
  sqs: { __type: 'com.amazonaws.sqs#InternalFailure', message: 'Internal failure.' },
} as const;

/** Starts the proxy on a free loopback port. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  let mode: FaultMode = options.mode ?? 'pass';
  let delayMs = options.delayMs ?? 3_000;
  const counts: Record<FaultMode, number> = { pass: 0, down: 0, slow: 0, error: 0, throttle: 0 };
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  };

  const answerJson = (res: ServerResponse, status: number, body: { __type: string; message: string }) => {
    const payload = JSON.stringify(body);
    res.writeHead(status, {
      // Both services speak AWS JSON 1.0 here (SQS since its JSON protocol).
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(payload),
      // SQS's JSON protocol names the error here too (the SDK reads either).
      ...(options.service === 'sqs' ? { 'x-amzn-query-error': `${body.__type.split('#')[1]};Sender` } : {}),
      'x-amzn-requestid': 'fault-proxy',
    });
    res.end(payload);
  };

  const server = createServer((req, res) => {
    const current = mode;
    counts[current]++;
    switch (current) {
      case 'pass':
        return forward(req, res);
      case 'down':
        // A connection opened before the switch and reused: reset it like a dead host would.
        req.socket.resetAndDestroy();
        return;
      case 'slow': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!req.destroyed) forward(req, res);
        }, delayMs);
        timers.add(timer);
        return;
      }
      case 'error':
        req.resume();
        if (options.service === 'http') return void res.writeHead(500).end('Internal Server Error');
        return answerJson(res, 500, errorBodies[options.service]);
      case 'throttle':
        req.resume();
        if (options.service === 'http') return void res.writeHead(503).end('Service Unavailable');
        return answerJson(res, 400, throttleBodies[options.service]);
    }
  });
  server.on('connection', (socket: Socket) => {
    if (mode === 'down') {
      counts.down++;
      socket.resetAndDestroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fault proxy: no TCP port');

  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${address.port}`,
    target: options.target,
    get mode() {
      return mode;
    },
    counts,
    set(next, setOptions) {
      mode = next;
      if (setOptions?.delayMs !== undefined) delayMs = setOptions.delayMs;
      // Clients pool keep-alive connections: without this, a request could still go through on an
      // old socket after the switch (or stay slow after `pass`).
      for (const socket of sockets) socket.destroy();
    },
    close() {
      closed ??= new Promise((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
