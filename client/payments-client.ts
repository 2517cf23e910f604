import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Provider } from '@smithy/types';
import type * as z from 'zod/mini';
import { describeNetworkFailure } from '../adapters/http/network-failure';
import { type LambdaName, routePath } from '../functions/routes';
import type { CreatedPayment } from '../shared/checkout/create-payment';
import type { orderSchema } from '../shared/checkout/order';
import { orderSignatureHeader, signOrder } from '../shared/checkout/order-signature';
import type { OperationView } from '../shared/operations/operation-answer';
import type { OperationKind } from '../shared/operations/operation-kind';
import { idempotencyKeyHeader, type OperationBodyOf } from '../shared/operations/operation-request';
import type { PaymentView } from '../shared/payments/payment-view';
import { isRecord, PaymentsApiError, PaymentsClientConfigError, PaymentsNetworkError } from './errors';
import { NodeSha256 } from './sha256';

/**
 * The merchant's back end calling the payments API: create-payment with an order signed by the shop
 * key, and the IAM routes (status, capture, refund, release, subscription charge) signed with SigV4
 * (service `execute-api`) by the AWS SDK's own signer, from the standard credential chain. Answers
 * come back as the handlers' own types; refusals as PaymentsApiError, no answer as PaymentsNetworkError.
 */

/** An order as the shop signs it: what `POST /payments` reads (shared/checkout/order.ts). */
export type OrderInput = z.input<typeof orderSchema>;

/** The answer to an operation: what was asked and done, the payment's amounts after it. */
export type OperationAnswer = OperationView & {
  /** True when the API answered from its record of this Idempotency-Key: nothing was done again. */
  readonly replayed: boolean;
};

/** Every operation is done at most once per key: send the same key again to retry the same request. */
interface Keyed {
  readonly idempotencyKey: string;
}

export type CaptureRequest = OperationBodyOf<'capture'> & Keyed;
export type RefundRequest = OperationBodyOf<'refund'> & Keyed;
export type ReleaseRequest = OperationBodyOf<'release'> & Keyed;
export type ChargeRequest = OperationBodyOf<'charge'> & Keyed;

export interface SigningOptions {
  /** The API's region; else AWS_REGION, AWS_DEFAULT_REGION, or the region in an execute-api host name. */
  readonly region?: string | Provider<string>;
  /** Else the standard chain: the environment, AWS_PROFILE and SSO, the container or instance role. */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

export interface PaymentsClientOptions {
  /** The API's base URL: the ApiUrl output (…/prod), a custom domain, or the local stack's URL. */
  readonly apiUrl: string | URL;
  /** The shop key orders are signed with; needed only by createPayment. */
  readonly shopOrderKey?: string;
  /** How the IAM routes are signed; `false` for the local stack, whose routes are open (it has no IAM). */
  readonly signing?: SigningOptions | false;
  /** A fetch of your own (a proxy's agent, a test's); the global one otherwise. */
  readonly fetch?: typeof globalThis.fetch;
  /** How long one call may take; API Gateway itself gives up after 29 s. */
  readonly timeoutMs?: number;
}

const defaultTimeoutMs = 30_000;

const operationRoutes: Readonly<Record<OperationKind, LambdaName>> = {
  capture: 'capture-payment',
  refund: 'refund-payment',
  release: 'release-payment',
  charge: 'charge-payment',
};

/**
 * A 2xx answer. Its body is read as the handler's own type (PaymentView, OperationView, CreatedPayment)
 * without checking it again: the handlers build it from those types, and there are no schemas for it.
 */
interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

export class PaymentsClient {
  private readonly base: URL;
  private readonly fetch: typeof globalThis.fetch;
  private signer: SignatureV4 | undefined;

  constructor(private readonly options: PaymentsClientOptions) {
    const base = new URL(options.apiUrl);
    // A base without its trailing slash would lose its last segment (the stage) when resolving paths.
    this.base = base.pathname.endsWith('/') ? base : new URL(`${base.href}/`);
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /**
   * Starts the payment of `order`: signs its exact JSON with the shop key and posts it, as the shop's
   * back end does. `outcome` is `existing` when the order's live payment request is returned again.
   * Send the customer to `url`. A string is sent as it is (bytes you signed or stored yourself).
   */
  async createPayment(order: OrderInput | string): Promise<CreatedPayment> {
    const key = this.options.shopOrderKey;
    if (key === undefined) {
      throw new PaymentsClientConfigError(
        'createPayment needs shopOrderKey: the key the shop signs orders with.',
      );
    }
    const json = typeof order === 'string' ? order : JSON.stringify(order);
    const answer = await this.call(
      'POST',
      this.url('create-payment'),
      json,
      {
        [orderSignatureHeader]: signOrder(json, key),
      },
      false,
    );
    const body = answer.body as Omit<CreatedPayment, 'outcome'>;
    return { outcome: answer.status === 201 ? 'created' : 'existing', ...body };
  }

  /** The stored payment, its transactions and callback log (GET /payments/{shopOrderId}); 404 is an error. */
  async getPayment(shopOrderId: string): Promise<PaymentView> {
    const answer = await this.call('GET', this.url('payment-status', shopOrderId), undefined, {}, true);
    return answer.body as PaymentView;
  }

  /** Captures all that is left of the reservation, or `amount` of it. */
  capture(shopOrderId: string, request: CaptureRequest): Promise<OperationAnswer> {
    return this.operate('capture', shopOrderId, request);
  }

  /** Gives back what is captured and not yet refunded, or `amount` of it. */
  refund(shopOrderId: string, request: RefundRequest): Promise<OperationAnswer> {
    return this.operate('refund', shopOrderId, request);
  }

  /** Lets the whole reservation go (refused once anything is captured: refund instead). */
  release(shopOrderId: string, request: ReleaseRequest): Promise<OperationAnswer> {
    return this.operate('release', shopOrderId, request);
  }

  /** Charges `amount` on the order's subscription agreement (`reserveOnly`: reserves it, to capture later). */
  chargeSubscription(shopOrderId: string, request: ChargeRequest): Promise<OperationAnswer> {
    return this.operate('charge', shopOrderId, request);
  }

  private async operate<K extends OperationKind>(
    kind: K,
    shopOrderId: string,
    { idempotencyKey, ...body }: OperationBodyOf<K> & Keyed,
  ): Promise<OperationAnswer> {
    const answer = await this.call(
      'POST',
      this.url(operationRoutes[kind], shopOrderId),
      JSON.stringify(body),
      { [idempotencyKeyHeader.toLowerCase()]: idempotencyKey },
      true,
    );
    return {
      ...(answer.body as OperationView),
      replayed: answer.headers.get('idempotent-replayed') === 'true',
    };
  }

  /** The route's URL under the base, `{shopOrderId}` filled in (routes.ts is the one route table). */
  private url(lambda: LambdaName, shopOrderId?: string): URL {
    const path = routePath(lambda)
      .slice(1)
      .replace('{shopOrderId}', encodeURIComponent(shopOrderId ?? ''));
    return new URL(path, this.base);
  }

  private async call(
    method: 'GET' | 'POST',
    url: URL,
    body: string | undefined,
    extraHeaders: Readonly<Record<string, string>>,
    iam: boolean,
  ): Promise<Answer> {
    const request = {
      method,
      headers: {
        ...extraHeaders,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        host: url.host,
      },
      ...(body === undefined ? {} : { body }),
    };
    const headers = iam ? await this.sign(url, request) : request.headers;
    const timeoutMs = this.options.timeoutMs ?? defaultTimeoutMs;
    let response: Response;
    let text: string;
    try {
      response = await this.fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (cause) {
      throw new PaymentsNetworkError(
        `No answer from the payments API (${method} ${url.href}): ${describeNetworkFailure(cause, timeoutMs)}`,
        { cause },
      );
    }
    const parsed = parseJson(text);
    if (response.status >= 200 && response.status < 300) {
      return { status: response.status, headers: response.headers, body: parsed };
    }
    throw refusal(response, parsed);
  }

  private async sign(
    url: URL,
    request: { method: string; headers: Record<string, string>; body?: string },
  ): Promise<Record<string, string>> {
    if (this.options.signing === false) return request.headers;
    this.signer ??= new SignatureV4({
      service: 'execute-api',
      region: this.region(this.options.signing?.region, url),
      credentials: this.options.signing?.credentials ?? defaultProvider(),
      sha256: NodeSha256,
    });
    const { headers } = await this.signer.sign({
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
    });
    return headers;
  }

  private region(given: SigningOptions['region'], url: URL): string | Provider<string> {
    const region =
      given ??
      (process.env.AWS_REGION || undefined) ??
      (process.env.AWS_DEFAULT_REGION || undefined) ??
      /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname)?.[1];
    if (region === undefined) {
      throw new PaymentsClientConfigError(
        `No AWS region to sign for: pass signing.region or set AWS_REGION (${url.host} does not name one).`,
      );
    }
    return region;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not ours (a proxy's page, or an empty answer): kept as text.
    return text;
  }
}

/**
 * Our handlers answer `{ error, message }`; API Gateway's own refusals (a missing or wrong signature,
 * throttling) answer `{ message }` and name their type in `x-amzn-errortype`.
 */
function refusal(response: Response, body: unknown): PaymentsApiError {
  const record = isRecord(body) ? body : {};
  const gatewayType = response.headers.get('x-amzn-errortype')?.split(':')[0];
  const code = typeof record.error === 'string' ? record.error : (gatewayType ?? `http_${response.status}`);
  const message =
    typeof record.message === 'string'
      ? record.message
      : typeof body === 'string' && body !== ''
        ? body.slice(0, 500)
        : `HTTP ${response.status}`;
  return new PaymentsApiError(response.status, code, message, body);
}
