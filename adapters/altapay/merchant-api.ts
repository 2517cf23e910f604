import {
  type ApiResponse,
  type GatewayTransaction,
  parseApiResponse,
} from '../../shared/altapay/api-response';
import { findCurrency } from '../../shared/altapay/currency';
import { GatewayError } from '../../shared/errors';
import type { CaptureResult, PaymentGateway, PaymentRequestInput } from '../../shared/ports';

export interface MerchantApiConfig {
  /** e.g. https://testgateway.altapaysecure.com (the API lives under /merchant/API/). */
  readonly baseUrl: URL;
  readonly username: string;
  readonly password: string;
  /** Needed for createPaymentRequest only. */
  readonly terminal?: string;
  /** Per call; well inside API Gateway's 29 s so the shop gets our 502, not a gateway timeout. */
  readonly timeoutMs: number;
}

/** Errors where the request never reached the gateway: retrying them cannot create anything twice. */
const notSentCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/** AltaPay customer_info keys for our customer fields. */
const customerKeys: Readonly<Record<string, string>> = {
  email: 'email',
  firstName: 'billing_firstname',
  lastName: 'billing_lastname',
  address: 'billing_address',
  postalCode: 'billing_postal',
  city: 'billing_city',
  country: 'billing_country',
  phone: 'customer_phone',
};

/**
 * PaymentGateway on AltaPay's Merchant API: HTTP Basic auth, form-encoded parameters with bracketed
 * keys (`config[callback_ok]`, `orderLines[0][itemId]`), `APIResponse` XML answers.
 */
export class AltaPayMerchantApi implements PaymentGateway {
  /**
   * `config` may be a function: it is read on every call, so credentials rotated in Secrets Manager
   * reach a warm function without a restart.
   */
  constructor(
    private readonly configOrProvider: MerchantApiConfig | (() => MerchantApiConfig),
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  private get config(): MerchantApiConfig {
    return typeof this.configOrProvider === 'function' ? this.configOrProvider() : this.configOrProvider;
  }

  async createPaymentRequest(input: PaymentRequestInput): Promise<{ paymentRequestId: string; url: string }> {
    const { terminal } = this.config;
    if (terminal === undefined)
      throw new GatewayError('rejected', 'No AltaPay terminal is configured (ALTAPAY_TERMINAL).');
    const params: Record<string, string> = {
      terminal,
      shop_orderid: input.shopOrderId,
      amount: input.amount,
      // The gateway takes both; numeric is what its callbacks echo back.
      currency: findCurrency(input.currency)?.numeric ?? input.currency,
      type: input.type,
      'config[callback_ok]': input.callbacks.ok,
      'config[callback_fail]': input.callbacks.fail,
      'config[callback_open]': input.callbacks.open,
      'config[callback_notification]': input.callbacks.notification,
      'config[callback_verify_order]': input.callbacks.verifyOrder,
    };
    if (input.language) params.language = input.language;
    for (const [key, value] of Object.entries(input.customer ?? {})) {
      params[`customer_info[${customerKeys[key] ?? key}]`] = value;
    }
    input.orderLines?.forEach((line, i) => {
      for (const [key, value] of Object.entries(line)) params[`orderLines[${i}][${key}]`] = value;
    });
    const response = await this.call('createPaymentRequest', params);
    if (response.result !== 'Success') {
      throw new GatewayError(
        'rejected',
        `AltaPay refused the payment request: ${response.merchantErrorMessage ?? response.result ?? 'no result'}.`,
      );
    }
    if (!response.paymentRequestId || !response.url) {
      throw new GatewayError('bad_answer', 'AltaPay answered Success without a PaymentRequestId and Url.');
    }
    return { paymentRequestId: response.paymentRequestId, url: response.url };
  }

  async transactions(transactionId: string): Promise<readonly GatewayTransaction[]> {
    const response = await this.call('payments', { transaction_id: transactionId });
    return response.transactions.filter((t) => t.transactionId === transactionId);
  }

  async captureReservation(transactionId: string, amount: string): Promise<CaptureResult> {
    // Retrying a capture whose answer was lost could capture twice: the worker checks `payments` first.
    const response = await this.call('captureReservation', { transaction_id: transactionId, amount });
    return {
      result: response.result ?? '',
      ...(response.merchantErrorMessage ? { merchantErrorMessage: response.merchantErrorMessage } : {}),
      transactions: response.transactions.filter((t) => t.transactionId === transactionId),
    };
  }

  /** One Merchant API call; every failure becomes a GatewayError that says what went wrong. */
  private async call(method: string, params: Record<string, string>): Promise<ApiResponse> {
    const url = new URL(`merchant/API/${method}`, withTrailingSlash(this.config.baseUrl));
    const init: RequestInit = {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${this.config.username}:${this.config.password}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/xml',
      },
      body: new URLSearchParams(params).toString(),
    };
    const response = await this.send(url, init, method);
    const text = await response.text();
    if (response.status === 401 || response.status === 403) {
      throw new GatewayError(
        'unauthorized',
        `AltaPay refused our API credentials (HTTP ${response.status}): check the API user and password.`,
      );
    }
    if (!response.ok)
      throw new GatewayError('http_error', `AltaPay answered HTTP ${response.status} to ${method}.`);
    let parsed: ApiResponse;
    try {
      parsed = parseApiResponse(text);
    } catch (cause) {
      throw new GatewayError('bad_answer', `AltaPay's answer to ${method} is not an APIResponse.`, { cause });
    }
    if (parsed.header.errorCode !== '0') {
      throw new GatewayError(
        'rejected',
        `AltaPay answered ${method} with error ${parsed.header.errorCode}: ${parsed.header.errorMessage ?? 'no message'}.`,
      );
    }
    return parsed;
  }

  /** Sends once, and once more only if the first attempt never reached the gateway. */
  private async send(url: URL, init: RequestInit, method: string): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.fetchImpl(url, { ...init, signal: AbortSignal.timeout(this.config.timeoutMs) });
      } catch (error) {
        if (isTimeout(error)) {
          throw new GatewayError(
            'timeout',
            `AltaPay did not answer ${method} within ${this.config.timeoutMs} ms.`,
            {
              cause: error,
            },
          );
        }
        if (attempt < 2 && notSentCodes.has(errorCode(error))) continue;
        throw new GatewayError(
          'unreachable',
          `AltaPay could not be reached for ${method} (${errorCode(error) || 'network error'}).`,
          {
            cause: error,
          },
        );
      }
    }
  }
}

function withTrailingSlash(url: URL): URL {
  return url.pathname.endsWith('/') ? url : new URL(`${url.href}/`);
}

function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** fetch wraps the socket error: `TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })`. */
function errorCode(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = typeof cause === 'object' && cause !== null ? Reflect.get(cause, 'code') : undefined;
  return typeof code === 'string' ? code : '';
}
