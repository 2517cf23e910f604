/**
 * Calls the payments API the way the merchant's back end does: open on the local stack, SigV4-signed
 * (service `execute-api`) with the operator's AWS credentials on a deployed one, whose operation
 * routes are IAM-authorised.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Target } from './target';

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** POSTs `body` (JSON) to `path` under the target's API with `headers`; the answer's JSON body. */
export async function postToApi(
  target: Target,
  path: string,
  body: unknown,
  headers: Readonly<Record<string, string>>,
): Promise<ApiAnswer> {
  const base = await target.apiUrl();
  const url = new URL(path.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`);
  const text = JSON.stringify(body);
  const request = {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', host: url.host },
    body: text,
  };
  const sent = target.local ? request : await signed(target, url, request);
  const response = await fetch(url, sent);
  const answer = await response.text();
  let parsed: unknown = answer;
  try {
    parsed = JSON.parse(answer);
  } catch {
    // Not ours (a proxy's or API Gateway's page): shown as text.
  }
  return { status: response.status, body: parsed };
}

async function signed(
  target: Target,
  url: URL,
  request: { method: string; headers: Record<string, string>; body: string },
) {
  const signer = new SignatureV4({
    service: 'execute-api',
    region: await target.dynamodb.config.region(),
    // The same credential chain as every other command (AWS_PROFILE, SSO, the environment).
    credentials: target.dynamodb.config.credentials,
    sha256: NodeSha256,
  });
  const query = Object.fromEntries(url.searchParams);
  const { headers } = await signer.sign({
    method: request.method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port === '' ? {} : { port: Number(url.port) }),
    path: url.pathname,
    query,
    headers: request.headers,
    body: request.body,
  });
  return { ...request, headers };
}

type Data = string | ArrayBuffer | ArrayBufferView;

/** SHA-256 and HMAC-SHA-256 in the shape the signer asks for, on Node's own crypto. */
export class NodeSha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: Data) {
    this.hash = this.fresh();
  }

  update(data: Data): void {
    this.hash.update(bytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
}

function bytes(data: Data): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}
