import {
  type ApiResponse,
  type GatewayTransaction,
  parseApiResponse,
} from '../../shared/altapay/api-response';
import { findCurrency } from '../../shared/altapay/currency';
import { GatewayError } from '../../shared/errors';
import type { OperationResult, OrderLine, PaymentGateway, PaymentRequestInput } from '../../shared/ports';
import { describeNetworkFailure, isTimeout, networkErrorCode } from '../http/network-failure';

export interface MerchantApiConfig {
  /** e.g. https://testgateway.altapaysecure.com (the API lives under /merchant/API/). */
  readonly baseUrl: URL;
  readonly username: string;
  readonly password: string;
  /** Per call; well inside API Gateway's 29 s so the shop gets our 502, not a gateway timeout. */
  readonly timeoutMs: number;
}

/** Errors where the request never reached the gateway: retrying them cannot create anything twice. */
const notSentCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/** The calls that move money: a lost answer to one of them leaves its outcome unknown. */
const moneyMoving = new Set([
  'captureReservation',
  'refundCapturedReservation',
  'releaseReservation',
  'chargeSubscription',
  'reserveSubscriptionCharge',
]);

/** How each money-moving call's outcome reads in a message ("it may have captured"). */
const moneyVerb: Readonly<Record<string, string>> = {
  captureReservation: 'captured',
  refundCapturedReservation: 'refunded',
  releaseReservation: 'released',
  chargeSubscription: 'charged',
  reserveSubscriptionCharge: 'reserved',
};

/** AltaPay customer_info keys for our customer fields, as AltaPay's own SDKs send them. */
const customerKeys: Readonly<Record<string, string>> = {
  email: 'email',
  firstName: 'billing_firstname',
  lastName: 'billing_lastname',
  address: 'billing_address',
  postalCode: 'billing_postal',
  city: 'billing_city',
  country: 'billing_country',
  phone: 'customer_phone',
  shippingFirstName: 'shipping_firstname',
  shippingLastName: 'shipping_lastname',
  shippingAddress: 'shipping_address',
  shippingPostalCode: 'shipping_postal',
  shippingCity: 'shipping_city',
  shippingCountry: 'shipping_country',
  clientIp: 'client_ip',
  userAgent: 'client_user_agent',
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
    const params: Record<string, string> = {
      terminal: input.terminal,
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
    // Outside customer_info: the Merchant API takes these two at the top level.
    if (input.customerCreatedDate) params.customer_created_date = input.customerCreatedDate;
    if (input.saleReconciliationIdentifier) {
      params.sale_reconciliation_identifier = input.saleReconciliationIdentifier;
    }
    for (const [key, value] of Object.entries(input.customer ?? {})) {
      params[`customer_info[${customerKeys[key] ?? key}]`] = value;
    }
    Object.assign(params, orderLineParams(input.orderLines));
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

  async transactionsOfOrder(shopOrderId: string): Promise<readonly GatewayTransaction[]> {
    // Without `limit` the gateway lists 10; an order may have up to 20 payment attempts.
    const response = await this.call('payments', { shop_orderid: shopOrderId, limit: '100' });
    return response.transactions
      .filter((t) => t.shopOrderId === shopOrderId)
      .sort((a, b) => (a.createdDate ?? '').localeCompare(b.createdDate ?? ''));
  }

  captureReservation(
    transactionId: string,
    amount: string,
    orderLines?: readonly OrderLine[],
  ): Promise<OperationResult> {
    return this.operate('captureReservation', transactionId, {
      amount,
      ...orderLineParams(orderLines),
    });
  }

  refundCapturedReservation(
    transactionId: string,
    amount: string,
    orderLines?: readonly OrderLine[],
  ): Promise<OperationResult> {
    return this.operate('refundCapturedReservation', transactionId, {
      amount,
      ...orderLineParams(orderLines),
    });
  }

  releaseReservation(transactionId: string): Promise<OperationResult> {
    return this.operate('releaseReservation', transactionId, {});
  }

  async chargeSubscription(
    agreementId: string,
    amount: string,
    options: { readonly reserveOnly: boolean },
  ): Promise<OperationResult> {
    const method = options.reserveOnly ? 'reserveSubscriptionCharge' : 'chargeSubscription';
    const response = await this.call(method, { transaction_id: agreementId, amount });
    return {
      result: response.result ?? '',
      ...(response.merchantErrorMessage ? { merchantErrorMessage: response.merchantErrorMessage } : {}),
      // The agreement and the charge it made, a transaction of its own.
      transactions: response.transactions,
    };
  }

  /**
   * A capture, refund or release. A refusal (`Result` Error or Failed, often with the transaction) is
   * an answer, returned with the gateway's reason; only a missing or unreadable answer throws.
   */
  private async operate(
    method: string,
    transactionId: string,
    params: Record<string, string>,
  ): Promise<OperationResult> {
    const response = await this.call(method, { transaction_id: transactionId, ...params });
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
    // A 5xx or an unreadable answer may come after the gateway acted: the outcome is unknown then.
    const unknown = moneyMoving.has(method);
    if (!response.ok) {
      throw new GatewayError(
        'http_error',
        `AltaPay answered HTTP ${response.status} to ${method}.${unknown ? mayHaveHappened(method) : ''}`,
        { outcomeUnknown: unknown && response.status >= 500 },
      );
    }
    let parsed: ApiResponse;
    try {
      parsed = parseApiResponse(text);
    } catch (cause) {
      throw new GatewayError(
        'bad_answer',
        `AltaPay's answer to ${method} is not an APIResponse.${unknown ? mayHaveHappened(method) : ''}`,
        { cause, outcomeUnknown: unknown },
      );
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
    const { timeoutMs } = this.config;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        const notSent = notSentCodes.has(networkErrorCode(error));
        if (attempt < 2 && notSent) continue;
        const unknown = moneyMoving.has(method) && !notSent;
        const after = unknown ? mayHaveHappened(method) : '';
        if (isTimeout(error)) {
          throw new GatewayError(
            'timeout',
            `AltaPay did not answer ${method} within ${timeoutMs} ms.${after}`,
            {
              cause: error,
              outcomeUnknown: unknown,
            },
          );
        }
        throw new GatewayError(
          'unreachable',
          `AltaPay could not be reached for ${method}: ${describeNetworkFailure(error, timeoutMs)}.${after}`,
          { cause: error, outcomeUnknown: unknown },
        );
      }
    }
  }
}

/** `orderLines[i][key]` parameters, as the gateway reads nested keys. */
function orderLineParams(lines: readonly OrderLine[] | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  lines?.forEach((line, i) => {
    for (const [key, value] of Object.entries(line)) {
      if (value !== undefined) params[`orderLines[${i}][${key}]`] = value;
    }
  });
  return params;
}

function mayHaveHappened(method: string): string {
  return ` The money may have been ${moneyVerb[method] ?? 'moved'}: look the transaction up (payments) before trying again.`;
}

function withTrailingSlash(url: URL): URL {
  return url.pathname.endsWith('/') ? url : new URL(`${url.href}/`);
}
