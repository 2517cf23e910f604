/**
 * A small stand-in for the deployed API Gateway REST API (v1, Lambda proxy integration): it matches
 * the route table, builds the proxy event and Lambda context, and writes the proxy result back the way
 * API Gateway does, including its 404/405/413/502 answers. Access control (`route.access`) is not
 * emulated: every route is open locally.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
  validateHeaderName,
  validateHeaderValue,
} from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { type HttpRoute, type LambdaName, lambdas } from '../functions/routes';
import { localAccountId, localFunction } from './lambda-runtime';
import { httpOrigin, listen } from './listen';

export type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface ApiServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Defaults to 127.0.0.1: the local stack is not meant to be reachable from the network. */
  host?: string;
  routes: readonly HttpRoute[];
  /** Called once per Lambda, on its first request; the result is kept like a warm Lambda's. */
  loadHandler: (lambda: LambdaName) => Promise<Handler>;
  /** API Gateway's payload limit is 10 MiB. */
  maxBodyBytes?: number;
  /** Receives one line per answered request (none by default, so tests stay quiet). */
  onRequest?: (line: string) => void;
  /**
   * Pages only the local stack serves (the demo shop at `/`), answered for GET before the route table.
   * Never part of the deployed API, so they live here and not in functions/routes.ts.
   */
  localPages?: ReadonlyMap<string, (query: URLSearchParams) => string>;
  /** Receives one line per failed invocation; defaults to stderr. */
  onError?: (line: string) => void;
}

export interface ApiServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const defaultMaxBodyBytes = 10 * 1024 * 1024;
const stage = 'local';

type Segment = { readonly literal: string } | { readonly param: string };

interface Resource {
  readonly template: string;
  readonly resourceId: string;
  readonly segments: readonly Segment[];
  readonly methods: ReadonlyMap<string, HttpRoute>;
}

interface Match {
  readonly resource: Resource;
  /** Raw (still percent-encoded) path parameter values. */
  readonly rawParams: ReadonlyMap<string, string>;
}

interface HttpResponse {
  readonly statusCode: number;
  readonly headers: ReadonlyMap<string, readonly string[]>;
  readonly body: Buffer;
}

class BadResult extends Error {
  override name = 'BadResult';
}

/**
 * Starts the API on `host:port` and resolves once it listens. Routes come from the caller (normally
 * `httpRoutes`) so the local API cannot drift from the deployed one.
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;
  const resources = compileRoutes(options.routes);
  const onError = options.onError ?? ((line: string) => process.stderr.write(`${line}\n`));
  const functions = new Map<LambdaName, (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>>();
  let port = options.port;

  const invoke = (lambda: LambdaName, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    let fn = functions.get(lambda);
    if (fn === undefined) {
      fn = localFunction(lambdas[lambda], async () => {
        const handler = await options.loadHandler(lambda);
        if (typeof handler !== 'function') throw new BadResult('loadHandler did not return a function');
        return handler;
      });
      functions.set(lambda, fn);
    }
    return fn(event);
  };

  const server = createServer((req, res) => {
    const started = Date.now();
    const requestId = randomUUID();
    res.setHeader('x-amzn-requestid', requestId);
    res.on('finish', () => {
      options.onRequest?.(`${req.method} ${req.url} -> ${res.statusCode} (${Date.now() - started} ms)`);
    });
    serve(req, res, requestId).catch((error: unknown) => {
      onError(`[api] ${requestId} ${req.method} ${req.url}: ${oneLine(error)}`);
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal server error' });
      else res.destroy();
    });
  });

  const serve = async (req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> => {
    const method = req.method ?? 'GET';
    const { path, query } = splitUrl(req.url ?? '/');
    const page = method === 'GET' ? options.localPages?.get(path) : undefined;
    if (page !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page(new URLSearchParams(query)));
      return;
    }
    const match = matchResource(resources, path);
    if (match === undefined) return sendJson(res, 404, { message: 'Not Found' });
    const route = match.resource.methods.get(method);
    if (route === undefined) {
      res.setHeader('allow', [...match.resource.methods.keys()].join(', '));
      return sendJson(res, 405, { message: 'Method Not Allowed' });
    }
    const pathParameters = decodeParams(match.rawParams);
    if (pathParameters === 'malformed') {
      return sendJson(res, 400, { message: 'Bad Request: malformed percent-encoding in path' });
    }

    const body = await readBody(req, maxBodyBytes);
    if (body === 'too-large') {
      // Closing the connection is how we stop reading: the rest of the upload is never consumed.
      res.setHeader('connection', 'close');
      res.once('finish', () => req.socket.destroySoon());
      return sendJson(res, 413, { message: 'Request Entity Too Large' });
    }

    const event = buildEvent({
      req,
      requestId,
      route,
      resource: match.resource,
      path,
      query,
      pathParameters,
      body,
    });
    const spec = lambdas[route.lambda];
    const describe = `[api] ${requestId} ${method} ${path} -> ${spec.name}`;
    let response: HttpResponse;
    try {
      response = toHttpResponse(await invoke(route.lambda, event));
    } catch (error) {
      onError(`${describe}: ${oneLine(error)}`);
      return sendJson(res, 502, { message: 'Internal server error' });
    }
    res.statusCode = response.statusCode;
    for (const [name, values] of response.headers) res.setHeader(name, [...values]);
    if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/json');
    res.setHeader('content-length', response.body.length);
    res.end(response.body);
  };

  port = await listen(server, options.port, host);

  let closed: Promise<void> | undefined;
  return {
    url: httpOrigin(host, port),
    port,
    close() {
      closed ??= new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function compileRoutes(routes: readonly HttpRoute[]): readonly Resource[] {
  const byTemplate = new Map<string, Map<string, HttpRoute>>();
  for (const route of routes) {
    const methods = byTemplate.get(route.path) ?? new Map<string, HttpRoute>();
    if (methods.has(route.method)) throw new Error(`Duplicate route ${route.method} ${route.path}`);
    methods.set(route.method, route);
    byTemplate.set(route.path, methods);
  }
  const resources = [...byTemplate].map(([template, methods]): Resource => {
    if (!template.startsWith('/')) throw new Error(`Route path must start with '/': ${template}`);
    const segments = template.split('/').map((segment): Segment => {
      const param = /^\{([A-Za-z0-9_]+)\}$/.exec(segment)?.[1];
      if (param !== undefined) return { param };
      if (segment.includes('{') || segment.includes('}')) {
        throw new Error(`Unsupported path segment '${segment}' in ${template} (greedy {x+} is not emulated)`);
      }
      return { literal: segment };
    });
    const resourceId = createHash('sha256').update(template).digest('hex').slice(0, 6);
    return { template, resourceId, segments, methods };
  });
  // Literal segments win over parameters, as in API Gateway: sort so the first match is the most specific.
  const rank = (resource: Resource) => resource.segments.map((s) => ('literal' in s ? '0' : '1')).join('');
  return resources.sort((a, b) => rank(a).localeCompare(rank(b)));
}

function matchResource(resources: readonly Resource[], path: string): Match | undefined {
  const parts = path.split('/');
  for (const resource of resources) {
    if (resource.segments.length !== parts.length) continue;
    const rawParams = new Map<string, string>();
    const matches = resource.segments.every((segment, i) => {
      const part = parts[i] ?? '';
      if ('literal' in segment) return segment.literal === part;
      rawParams.set(segment.param, part);
      return part !== '';
    });
    if (matches) return { resource, rawParams };
  }
  return undefined;
}

function decodeParams(rawParams: ReadonlyMap<string, string>): Record<string, string> | null | 'malformed' {
  if (rawParams.size === 0) return null;
  const decoded: Record<string, string> = {};
  for (const [name, raw] of rawParams) {
    try {
      decoded[name] = decodeURIComponent(raw);
    } catch {
      return 'malformed';
    }
  }
  return decoded;
}

function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q === -1 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve('too-large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.pause();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

interface EventInput {
  readonly req: IncomingMessage;
  readonly requestId: string;
  readonly route: HttpRoute;
  readonly resource: Resource;
  readonly path: string;
  readonly query: string;
  readonly pathParameters: Record<string, string> | null;
  readonly body: Buffer;
}

function buildEvent(input: EventInput): APIGatewayProxyEvent {
  const { req, requestId, route, resource, path, query, pathParameters, body } = input;
  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values !== undefined) multiValueHeaders[name] = [...values];
  }
  // API Gateway appends the caller's address to X-Forwarded-For and sets the proto/port it was reached on.
  multiValueHeaders['x-forwarded-for'] = [
    [...(multiValueHeaders['x-forwarded-for'] ?? []), sourceIp].join(', '),
  ];
  multiValueHeaders['x-forwarded-proto'] = ['http'];
  multiValueHeaders['x-forwarded-port'] = [String(req.socket.localPort ?? '')];
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(multiValueHeaders)) {
    const last = values.at(-1);
    if (last !== undefined) headers[name] = last;
  }

  let queryStringParameters: Record<string, string> | null = null;
  let multiValueQueryStringParameters: Record<string, string[]> | null = null;
  const params = new URLSearchParams(query);
  for (const [name, value] of params) {
    queryStringParameters ??= {};
    multiValueQueryStringParameters ??= {};
    queryStringParameters[name] = value;
    multiValueQueryStringParameters[name] = [...(multiValueQueryStringParameters[name] ?? []), value];
  }

  const now = new Date();
  const domainName = headers.host ?? 'localhost';
  return {
    resource: resource.template,
    path,
    httpMethod: route.method,
    headers,
    multiValueHeaders,
    queryStringParameters,
    multiValueQueryStringParameters,
    pathParameters,
    stageVariables: null,
    requestContext: {
      accountId: localAccountId,
      apiId: 'local',
      authorizer: undefined,
      domainName,
      domainPrefix: domainName.split(/[.:]/)[0] ?? domainName,
      extendedRequestId: randomBytes(12).toString('base64url'),
      httpMethod: route.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp,
        user: null,
        userAgent: headers['user-agent'] ?? null,
        userArn: null,
      },
      path: `/${stage}${path}`,
      protocol: `HTTP/${req.httpVersion}`,
      requestId,
      requestTime: formatRequestTime(now),
      requestTimeEpoch: now.getTime(),
      resourceId: resource.resourceId,
      resourcePath: resource.template,
      stage,
    },
    // The deployed API treats every media type as binary, so handlers always get base64.
    body: body.length > 0 ? body.toString('base64') : null,
    isBase64Encoded: body.length > 0,
  };
}

const resultKeys = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);

/** Validates like API Gateway: anything else is a "Malformed Lambda proxy response" (502). */
function toHttpResponse(result: unknown): HttpResponse {
  if (!isRecord(result)) throw new BadResult('Malformed Lambda proxy response: not an object');
  for (const key of Object.keys(result)) {
    if (!resultKeys.has(key)) throw new BadResult(`Malformed Lambda proxy response: unexpected key '${key}'`);
  }
  const { statusCode, headers, multiValueHeaders, body, isBase64Encoded } = result;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    throw new BadResult(`Malformed Lambda proxy response: statusCode ${String(statusCode)}`);
  }
  if (body !== undefined && body !== null && typeof body !== 'string') {
    throw new BadResult('Malformed Lambda proxy response: body is not a string');
  }
  if (isBase64Encoded !== undefined && typeof isBase64Encoded !== 'boolean') {
    throw new BadResult('Malformed Lambda proxy response: isBase64Encoded is not a boolean');
  }

  // API Gateway merges both maps; a value given in both appears once.
  const merged = new Map<string, string[]>();
  const add = (name: string, value: unknown) => {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new BadResult(`Malformed Lambda proxy response: header ${name} is not a scalar`);
    }
    const key = name.toLowerCase();
    const text = String(value);
    validateHeaderName(key);
    validateHeaderValue(key, text);
    const values = merged.get(key) ?? [];
    if (!values.includes(text)) values.push(text);
    merged.set(key, values);
  };
  if (multiValueHeaders !== undefined && multiValueHeaders !== null) {
    if (!isRecord(multiValueHeaders))
      throw new BadResult('Malformed Lambda proxy response: multiValueHeaders');
    for (const [name, values] of Object.entries(multiValueHeaders)) {
      if (!Array.isArray(values))
        throw new BadResult(`Malformed Lambda proxy response: ${name} is not a list`);
      for (const value of values) add(name, value);
    }
  }
  if (headers !== undefined && headers !== null) {
    if (!isRecord(headers)) throw new BadResult('Malformed Lambda proxy response: headers');
    for (const [name, value] of Object.entries(headers)) add(name, value);
  }
  // Framing is API Gateway's job, not the handler's.
  merged.delete('content-length');
  merged.delete('transfer-encoding');
  merged.delete('connection');

  const text = typeof body === 'string' ? body : '';
  return {
    statusCode,
    headers: merged,
    body: isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
  };
}

function sendJson(res: ServerResponse, statusCode: number, body: unknown): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.statusCode = statusCode;
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', payload.length);
  res.end(payload);
}

function formatRequestTime(date: Date): string {
  // API Gateway's requestTime looks like `09/Apr/2015:12:34:56 +0000`.
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : `thrown value: ${String(error)}`;
  return text.replace(/\s*\n\s*/g, ' ');
}
