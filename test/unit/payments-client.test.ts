import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  PaymentsApiError,
  PaymentsClient,
  PaymentsClientConfigError,
  PaymentsNetworkError,
} from '../../client/index';
import { NodeSha256 } from '../../client/sha256';
import { verifyOrderSignature } from '../../shared/checkout/order-signature';

/**
 * The client against a real HTTP server on this machine: what goes on the wire (the SigV4 headers,
 * the Idempotency-Key, the signed order) and how each kind of answer comes back.
 */

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

const credentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const shopOrderKey = 'k'.repeat(32);
const operationBody = {
  operation: {
    kind: 'capture',
    idempotencyKey: 'key-1',
    transactionId: '80000001',
    amount: '10.00',
    state: 'done',
  },
  payment: { shopOrderId: 'order 7', status: 'captured', currency: 'DKK', reservedAmount: '20.00' },
};

let server: Server;
let apiUrl = '';
const seen: Seen[] = [];
let reply: Reply = { status: 201, body: JSON.stringify(operationBody) };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  apiUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/prod`;
});
afterEach(() => {
  seen.length = 0;
  reply = { status: 201, body: JSON.stringify(operationBody) };
  vi.unstubAllEnvs();
});
afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
});

const client = (options: Partial<ConstructorParameters<typeof PaymentsClient>[0]> = {}) =>
  new PaymentsClient({ apiUrl, shopOrderKey, signing: { region: 'eu-west-1', credentials }, ...options });

const last = (): Seen => {
  const request = seen.at(-1);
  if (request === undefined) throw new Error('the server saw no request');
  return request;
};

/**
 * Signs the request the server received again, with the same credentials and the time it names: the
 * same Authorization proves the signature covers exactly what arrived (path, headers, body).
 */
async function resign(request: Seen, secret = credentials): Promise<string> {
  const authorization = String(request.headers.authorization);
  const signedNames = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  const amzDate = String(request.headers['x-amz-date']);
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const url = new URL(request.url, 'http://placeholder');
  const headers = Object.fromEntries(
    signedNames.filter((name) => name !== 'x-amz-date').map((name) => [name, String(request.headers[name])]),
  );
  const [hostname, port] = String(request.headers.host).split(':');
  const signer = new SignatureV4({
    service: 'execute-api',
    region: 'eu-west-1',
    credentials: secret,
    sha256: NodeSha256,
  });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: hostname ?? '',
      ...(port === undefined ? {} : { port: Number(port) }),
      path: url.pathname,
      query: {},
      headers,
      ...(request.body === '' ? {} : { body: request.body }),
    },
    { signingDate },
  );
  return String(signed.headers.authorization);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('the IAM routes are signed with SigV4 for execute-api', () => {
  it('capture: the route under the stage, the body, the Idempotency-Key signed, a signature that holds', async () => {
    const answer = await client().capture('order 7', { amount: '10.00', idempotencyKey: 'key-1' });

    const request = last();
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/prod/payments/order%207/captures');
    expect(JSON.parse(request.body)).toEqual({ amount: '10.00' });
    expect(request.headers['idempotency-key']).toBe('key-1');
    expect(request.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*idempotency-key[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(request.headers.authorization).toMatch(/SignedHeaders=[^,]*host;/);
    expect(request.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(request.headers['x-amz-content-sha256']).toBe(sha256(request.body));
    expect(request.headers['x-amz-security-token']).toBeUndefined();
    expect(await resign(request)).toBe(request.headers.authorization);
    expect(answer).toEqual({ ...operationBody, replayed: false });
  });

  it('session credentials add the security token, and it is signed', async () => {
    await client({
      signing: { region: 'eu-west-1', credentials: { ...credentials, sessionToken: 'session-token-1' } },
    }).refund('order-7', { idempotencyKey: 'key-2' });

    const request = last();
    expect(request.url).toBe('/prod/payments/order-7/refunds');
    expect(request.headers['x-amz-security-token']).toBe('session-token-1');
    expect(request.headers.authorization).toMatch(/SignedHeaders=[^,]*x-amz-security-token/);
  });

  it('getPayment: a signed GET with no body; the status answer as it came', async () => {
    reply = { status: 200, body: JSON.stringify({ shopOrderId: 'order-7', status: 'reserved' }) };

    const payment = await client().getPayment('order-7');

    const request = last();
    expect(request.method).toBe('GET');
    expect(request.url).toBe('/prod/payments/order-7');
    expect(request.headers['x-amz-content-sha256']).toBe(sha256(''));
    expect(await resign(request)).toBe(request.headers.authorization);
    expect(payment).toEqual({ shopOrderId: 'order-7', status: 'reserved' });
  });

  it('release and chargeSubscription go to their routes with their own bodies; a replay is said', async () => {
    reply = { status: 201, body: JSON.stringify(operationBody), headers: { 'idempotent-replayed': 'true' } };

    const released = await client().release('order-7', { idempotencyKey: 'key-3' });
    const releaseRequest = last();
    await client().chargeSubscription('order-7', {
      amount: '49.00',
      reserveOnly: true,
      idempotencyKey: 'key-4',
    });

    expect(releaseRequest.url).toBe('/prod/payments/order-7/releases');
    expect(JSON.parse(releaseRequest.body)).toEqual({});
    expect(released.replayed).toBe(true);
    expect(last().url).toBe('/prod/payments/order-7/charges');
    expect(JSON.parse(last().body)).toEqual({ amount: '49.00', reserveOnly: true });
  });

  it('takes credentials from the standard chain and the region from AWS_REGION when none are given', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIACHAINEXAMPLE0001');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'chain-secret');
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    vi.stubEnv('AWS_PROFILE', '');
    vi.stubEnv('AWS_REGION', 'eu-north-1');

    await new PaymentsClient({ apiUrl }).getPayment('order-7');

    expect(last().headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIACHAINEXAMPLE0001\/\d{8}\/eu-north-1\/execute-api\/aws4_request/,
    );
  });

  it('without a region anywhere, says so before sending anything', async () => {
    vi.stubEnv('AWS_REGION', '');
    vi.stubEnv('AWS_DEFAULT_REGION', '');

    await expect(client({ signing: { credentials } }).getPayment('order-7')).rejects.toThrow(
      PaymentsClientConfigError,
    );
    expect(seen).toHaveLength(0);
  });

  it('sends through the fetch it is given (a proxy agent, a test double)', async () => {
    const urls: string[] = [];
    const fetching: typeof fetch = (input, init) => {
      urls.push(String(input));
      return fetch(input, init);
    };

    await client({ fetch: fetching }).getPayment('order-7');

    expect(urls).toEqual([`${apiUrl}/payments/order-7`]);
    expect(last().headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
  });

  it('signing: false (the local stack, which has no IAM) sends no signature', async () => {
    await client({ signing: false }).capture('order-7', { idempotencyKey: 'key-5' });

    expect(last().headers.authorization).toBeUndefined();
    expect(last().headers['idempotency-key']).toBe('key-5');
  });
});

describe('createPayment signs the order with the shop key', () => {
  const order = {
    shopOrderId: 'order-9',
    amount: '249.00',
    currency: 'DKK',
    expiresAt: '2026-12-01T12:30:00Z',
  };

  it('posts the exact JSON with an Order-Signature over its bytes, no SigV4; 201 is a new request', async () => {
    reply = {
      status: 201,
      body: JSON.stringify({
        shopOrderId: 'order-9',
        paymentRequestId: 'pr-1',
        url: 'https://pay.example/pr-1',
      }),
    };

    const created = await client().createPayment(order);

    const request = last();
    expect(request.url).toBe('/prod/payments');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toBe(JSON.stringify(order));
    expect(() =>
      verifyOrderSignature(Buffer.from(request.body), String(request.headers['order-signature']), [
        shopOrderKey,
      ]),
    ).not.toThrow();
    expect(request.headers.authorization).toBeUndefined();
    expect(created).toEqual({
      outcome: 'created',
      shopOrderId: 'order-9',
      paymentRequestId: 'pr-1',
      url: 'https://pay.example/pr-1',
    });
  });

  it("200 is the order's live request returned again", async () => {
    reply = {
      status: 200,
      body: JSON.stringify({ shopOrderId: 'order-9', paymentRequestId: 'pr-1', url: 'u' }),
    };

    expect((await client().createPayment(order)).outcome).toBe('existing');
  });

  it('without a shop key it refuses before sending', async () => {
    await expect(client({ shopOrderKey: undefined }).createPayment(order)).rejects.toThrow(/shopOrderKey/);
    expect(seen).toHaveLength(0);
  });
});

describe('refusals and silence are typed', () => {
  const caught = async (call: Promise<unknown>): Promise<unknown> =>
    call.then(
      () => undefined,
      (error) => error,
    );

  it("the API's refusal: its status, code and message", async () => {
    reply = {
      status: 422,
      body: JSON.stringify({
        error: 'amount_too_large',
        message: 'Field amount 500.00 is more than the 100.00 left to refund.',
      }),
    };

    const error = await caught(client().refund('order-7', { amount: '500.00', idempotencyKey: 'key-6' }));

    expect(error).toBeInstanceOf(PaymentsApiError);
    expect(error).toMatchObject({
      status: 422,
      code: 'amount_too_large',
      message: 'Field amount 500.00 is more than the 100.00 left to refund.',
      retryWithSameKey: false,
    });
  });

  it('503 outcome_unknown says to retry with the same key, and carries the operation', async () => {
    reply = {
      status: 503,
      body: JSON.stringify({
        error: 'outcome_unknown',
        message: 'retry with the same Idempotency-Key',
        ...operationBody,
      }),
    };

    const error = await caught(client().capture('order-7', { idempotencyKey: 'key-7' }));

    expect(error).toBeInstanceOf(PaymentsApiError);
    expect((error as PaymentsApiError).retryWithSameKey).toBe(true);
    expect((error as PaymentsApiError).operation).toEqual(operationBody.operation);
  });

  it('any other 503 (a proxy, a dependency down) is an API error without that promise', async () => {
    reply = { status: 503, body: 'Service Unavailable' };

    const error = await caught(client().capture('order-7', { idempotencyKey: 'key-8' }));

    expect(error).toMatchObject({ status: 503, code: 'http_503', message: 'Service Unavailable' });
    expect((error as PaymentsApiError).retryWithSameKey).toBe(false);
  });

  it("API Gateway's own refusal (a bad signature) is named by its error type", async () => {
    reply = {
      status: 403,
      body: JSON.stringify({ message: 'The request signature we calculated does not match' }),
      headers: { 'x-amzn-errortype': 'InvalidSignatureException:http://internal.amazon.com/coral/' },
    };

    const error = await caught(client().getPayment('order-7'));

    expect(error).toMatchObject({
      status: 403,
      code: 'InvalidSignatureException',
      message: 'The request signature we calculated does not match',
    });
  });

  it('no answer at all is a PaymentsNetworkError, not an API error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = closed.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const error = await caught(client({ apiUrl: `http://127.0.0.1:${port}/prod` }).getPayment('order-7'));

    expect(error).toBeInstanceOf(PaymentsNetworkError);
    expect((error as Error).message).toMatch(/connection refused/);
  });
});
