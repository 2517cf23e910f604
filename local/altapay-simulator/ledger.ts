/**
 * The simulated gateway's memory: payment requests and transactions, and the Merchant API methods that read
 * and change them (docs/altapay-protocol.md §8). No HTTP here: each method takes the decoded parameters and
 * returns the XML answer, so the rules read in one place.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type Currency, findCurrency } from '../../shared/altapay/currency';
import { toMinorUnits } from '../../shared/payments/money';
import type { ApiMethod } from './api-methods';
import {
  apiResponseXml,
  createdTransaction,
  formatMinorUnits,
  gatewayDateTime,
  gatewayTimestamp,
  type PaymentState,
  type SimChargebackEvent,
  type SimTransaction,
  settleTransaction,
  shopName,
  type XmlElement,
} from './documents';

// The method lists live in api-methods.ts; re-exported for the modules that import them from here.
export { type ApiMethod, apiMethods } from './api-methods';

/** The request types the simulator takes; the subscription ones set up an agreement charged later. */
const requestTypes = [
  'payment',
  'paymentAndCapture',
  'subscription',
  'subscriptionAndCharge',
  'subscriptionAndReserve',
] as const;
export type SimRequestType = (typeof requestTypes)[number];

/** A payment request as the simulator holds it (read-only view). */
export interface SimPaymentRequest {
  readonly id: string;
  readonly terminal: string;
  readonly shopOrderId: string;
  /** The `amount` string exactly as the merchant sent it; callbacks post it back unchanged. */
  readonly amount: string;
  /** The amount as the gateway writes amounts (the currency's decimals), e.g. '12.50'. */
  readonly formattedAmount: string;
  readonly currency: Currency;
  /** `subscription` sets up an agreement, charged later with chargeSubscription. */
  readonly type: SimRequestType;
  readonly language?: string;
  /** `config[...]` without the prefix: callback_ok, callback_fail, callback_verify_order, ... */
  readonly config: Readonly<Record<string, string>>;
  readonly customerInfo: Readonly<Record<string, string>>;
  readonly transactionInfo: Readonly<Record<string, string>>;
  readonly orderLines: readonly Readonly<Record<string, string>>[];
  /** Replayed as the `Cookie:` header of every callback for this request. */
  readonly cookie?: string;
  readonly createdDate: string;
  readonly transactionIds: readonly string[];
  /** `processing` while a customer's click is being handled; `completed` after a success or open result. */
  readonly state: 'new' | 'processing' | 'completed';
}

/** A capture, refund or release as the merchant asked for it, whatever the gateway answered. */
export interface SimOperation {
  readonly method:
    | 'captureReservation'
    | 'refundCapturedReservation'
    | 'releaseReservation'
    | 'chargeSubscription'
    | 'reserveSubscriptionCharge';
  readonly transactionId: string;
  readonly shopOrderId: string;
  /** As sent; undefined when the merchant sent none. */
  readonly amount?: string;
  readonly orderLines: readonly Readonly<Record<string, string>>[];
  readonly result: 'Success' | 'Error';
}

/** A Merchant API answer: the HTTP status and the APIResponse document. */
export interface ApiAnswer {
  readonly status: number;
  readonly xml: string;
  /** Body/Result as written in `xml`, when there is one. */
  readonly result?: string;
}

type Params = ReadonlyMap<string, string>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A createPaymentRequest amount: dot-decimal, unsigned, ≤ 2 decimals (docs/altapay-protocol.md §8.2). */
const requestAmount = /^(0|[1-9]\d{0,11})(\.\d{1,2})?$/;
const maxShopOrderIdLength = 100;
/** `payments` lists this many transactions unless `limit` (at most 100) says otherwise (§8.3). */
const defaultPaymentsLimit = 10;
const maxPaymentsLimit = 100;
/** What `payments` takes: the filters AltaPay's libraries send, and `limit`. */
const paymentsParameters = [
  'transaction',
  'transaction_id',
  'payment_id',
  'shop_orderid',
  'shop',
  'terminal',
  'limit',
] as const;
const callbackKeys = [
  'callback_ok',
  'callback_fail',
  'callback_open',
  'callback_notification',
  'callback_verify_order',
  'callback_redirect',
  'callback_form',
  'callback_mobile_app_redirect',
] as const;

/** The simulated gateway's state and Merchant API rules. */
export class Ledger {
  private readonly requests = new Map<string, Mutable<SimPaymentRequest>>();
  private readonly byId = new Map<string, SimTransaction>();
  /** When each transaction last changed, to keep UpdatedDate strictly increasing. */
  private readonly lastChange = new Map<string, number>();
  private nextTransactionId = 80_000_000;
  private readonly operationLog: SimOperation[] = [];

  constructor(
    private readonly options: {
      /** The simulator's base URL, known only once it listens. */
      readonly baseUrl: () => string;
      readonly terminals: readonly string[];
    },
  ) {}

  /** Answers one Merchant API call. */
  call(method: ApiMethod, params: Params): ApiAnswer {
    switch (method) {
      case 'login':
      case 'testConnection':
        // Result OK, as sdk-python's 200_login.xml; both SDKs' login() check exactly that.
        return { status: 200, result: 'OK', xml: apiResponseXml({ path: `API/${method}`, result: 'OK' }) };
      case 'getTerminals':
        return this.getTerminals();
      case 'fundingList':
        return this.fundingList();
      case 'updateOrder':
        return this.updateOrder(params);
      case 'createPaymentRequest':
        return this.createPaymentRequest(params);
      case 'payments':
        return this.payments(params);
      case 'captureReservation':
        return this.logged(method, params, this.capture(params));
      case 'releaseReservation':
        return this.logged(method, params, this.release(params));
      case 'refundCapturedReservation':
        return this.logged(method, params, this.refund(params));
      case 'chargeSubscription':
        return this.logged(method, params, this.chargeAgreement(method, params, 'captured'));
      case 'reserveSubscriptionCharge':
        return this.logged(method, params, this.chargeAgreement(method, params, 'reserved'));
    }
  }

  /** The order's captures, refunds and releases as asked for, oldest first. */
  operationsOf(shopOrderId: string): readonly SimOperation[] {
    return this.operationLog.filter((o) => o.shopOrderId === shopOrderId);
  }

  private logged(method: SimOperation['method'], params: Params, answer: ApiAnswer): ApiAnswer {
    const transaction = this.byId.get(params.get('transaction_id') ?? '');
    if (transaction !== undefined) {
      const amount = params.get('amount');
      this.operationLog.push({
        method,
        transactionId: transaction.transactionId,
        shopOrderId: transaction.shopOrderId,
        ...(amount === undefined ? {} : { amount }),
        orderLines: indexedGroup(params, 'orderLines'),
        result: answer.result === 'Success' ? 'Success' : 'Error',
      });
    }
    return answer;
  }

  /** The request, or undefined. The object is live: callers outside the simulator get a copy. */
  request(id: string): SimPaymentRequest | undefined {
    return this.requests.get(id);
  }

  /** Newest first. */
  recentRequests(limit: number): readonly SimPaymentRequest[] {
    return [...this.requests.values()].reverse().slice(0, limit);
  }

  /** Moves a request between new, processing (a click is being handled) and completed. */
  setRequestState(id: string, state: SimPaymentRequest['state']): void {
    const request = this.requests.get(id);
    if (request !== undefined) request.state = state;
  }

  /** The order's transactions, oldest first. */
  transactionsOf(shopOrderId: string): readonly SimTransaction[] {
    return [...this.byId.values()].filter((t) => t.shopOrderId === shopOrderId);
  }

  /** Creates the transaction a customer's click starts, in status `created`. */
  openTransaction(request: SimPaymentRequest, kind: 'card' | 'no-card' | 'invoice'): SimTransaction {
    const transactionId = String(this.nextTransactionId++);
    const info = request.customerInfo;
    const cardHolder = definedOnly({
      email: info.email,
      firstName: info.billing_firstname,
      lastName: info.billing_lastname,
      address: info.billing_address,
      city: info.billing_city,
      postalCode: info.billing_postal,
      country: info.billing_country,
    });
    const transaction = createdTransaction({
      transactionId,
      paymentId: randomUUID(),
      authType: request.type,
      shopOrderId: request.shopOrderId,
      terminal: request.terminal,
      currency: request.currency,
      paymentNature: kind === 'invoice' ? 'Invoice' : 'CreditCard',
      withCard: kind === 'card',
      creditCardToken: randomBytes(20).toString('hex'),
      at: this.tick(transactionId),
      ...(Object.keys(cardHolder).length === 0 ? {} : { cardHolder }),
      ...(Object.keys(request.transactionInfo).length === 0 ? {} : { paymentInfos: request.transactionInfo }),
    });
    this.byId.set(transactionId, transaction);
    const record = this.requests.get(request.id);
    if (record !== undefined) record.transactionIds = [...record.transactionIds, transactionId];
    return transaction;
  }

  /** Moves a transaction to `state` with the request's amount; UpdatedDate advances. */
  settle(transactionId: string, state: PaymentState, amount: string): SimTransaction {
    const current = this.mustGet(transactionId);
    const settled = settleTransaction(current, state, amount, this.tick(transactionId));
    this.byId.set(transactionId, settled);
    return settled;
  }

  /**
   * A new transaction of the agreement's order (AuthType subscription_payment) holding `amount`:
   * what chargeSubscription, reserveSubscriptionCharge and a subscriptionAnd... request's first
   * charge make.
   */
  chargeOn(agreement: SimTransaction, state: 'captured' | 'reserved', amount: string): SimTransaction {
    const transactionId = String(this.nextTransactionId++);
    const at = this.tick(transactionId);
    const charge = settleTransaction(
      {
        ...agreement,
        transactionId,
        paymentId: randomUUID(),
        authType: 'subscription_payment',
        createdDate: gatewayDateTime(at),
        reconciliationIdentifiers: [],
      },
      state,
      amount,
      at,
    );
    this.byId.set(transactionId, charge);
    return charge;
  }

  /**
   * A refund made on the gateway's side (its back office), with the Merchant API's rules: the same
   * answer, but not in `operationsOf`, which lists what the merchant asked for.
   */
  refundOnGateway(transactionId: string, amount?: string): ApiAnswer {
    const params = new Map([['transaction_id', transactionId]]);
    if (amount !== undefined) params.set('amount', amount);
    return this.refund(params);
  }

  /** The cardholder's bank disputes the payment: the transaction keeps its status and gains the event. */
  addChargeback(transactionId: string, event: SimChargebackEvent): SimTransaction {
    const current = this.mustGet(transactionId);
    return this.change(current, { chargebackEvents: [...(current.chargebackEvents ?? []), event] });
  }

  // --- Merchant API -------------------------------------------------------------------------------

  private createPaymentRequest(params: Params): ApiAnswer {
    const path = 'API/createPaymentRequest';
    const refuse = (message: string): ApiAnswer => bodyError(path, message);
    const terminal = params.get('terminal') ?? '';
    const shopOrderId = params.get('shop_orderid') ?? '';
    const amount = params.get('amount') ?? '';
    const currencyCode = params.get('currency') ?? '';
    const type = params.get('type') || 'payment';

    if (terminal === '') return refuse("Missing mandatory parameter 'terminal'");
    if (!this.options.terminals.includes(terminal)) return refuse(`Unknown terminal: ${terminal}`);
    if (shopOrderId === '') return refuse("Missing mandatory parameter 'shop_orderid'");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    if (shopOrderId.length > maxShopOrderIdLength || /[\u0000-\u001F\u007F]/.test(shopOrderId)) {
      return refuse(`Invalid shop_orderid: at most ${maxShopOrderIdLength} printable characters`);
    }
    if (amount === '') return refuse("Missing mandatory parameter 'amount'");
    if (!requestAmount.test(amount)) {
      return refuse(`Invalid amount '${amount}': use a dot-decimal number with at most 2 decimals`);
    }
    if (!/[1-9]/.test(amount)) return refuse('The amount must be greater than 0');
    if (currencyCode === '') return refuse("Missing mandatory parameter 'currency'");
    const currency = findCurrency(currencyCode);
    if (currency === undefined) return refuse(`Unknown currency: ${currencyCode}`);
    if (currency.withdrawn !== undefined) return refuse(`Currency ${currency.alpha} is no longer accepted`);
    const minor = toMinorUnits(amount, currency.exponent);
    if (minor === undefined)
      return refuse(`Invalid amount '${amount}': ${currency.alpha} has ${currency.exponent} decimals`);
    if (!isRequestType(type)) {
      return refuse(`Unsupported type '${type}': the simulator supports ${requestTypes.join(', ')}`);
    }
    // An empty callback URL means none, as an unset terminal setting does.
    const config = Object.fromEntries(
      Object.entries(bracketGroup(params, 'config')).filter(([, url]) => url !== ''),
    );
    for (const [key, url] of Object.entries(config)) {
      if (!(callbackKeys as readonly string[]).includes(key))
        return refuse(`Unknown config parameter: config[${key}]`);
      if (!isHttpUrl(url)) return refuse(`config[${key}] must be an http or https URL`);
    }

    const id = randomUUID();
    const language = params.get('language');
    const cookie = params.get('cookie');
    this.requests.set(id, {
      id,
      terminal,
      shopOrderId,
      amount,
      formattedAmount: formatMinorUnits(minor, currency.exponent),
      currency,
      type,
      ...(language === undefined ? {} : { language }),
      config,
      customerInfo: bracketGroup(params, 'customer_info'),
      transactionInfo: bracketGroup(params, 'transaction_info'),
      orderLines: indexedGroup(params, 'orderLines'),
      ...(cookie === undefined ? {} : { cookie }),
      createdDate: gatewayDateTime(new Date()),
      transactionIds: [],
      state: 'new',
    });
    const base = this.options.baseUrl();
    return {
      status: 200,
      result: 'Success',
      xml: apiResponseXml({
        path,
        result: 'Success',
        extraBody: {
          PaymentRequestId: id,
          Url: `${base}/eCommerce/API/requestForm?pid=${id}`,
          DynamicJavascriptUrl: `${base}/eCommerce/API/embeddedPaymentWindow?pid=${id}`,
        },
      }),
    };
  }

  private payments(params: Params): ApiAnswer {
    const path = 'API/payments';
    const unknown = [...params.keys()].find(
      (name) => !(paymentsParameters as readonly string[]).includes(name),
    );
    if (unknown !== undefined) {
      return headerError(
        path,
        `Unknown parameter '${unknown}' for payments: use ${paymentsParameters.join(', ')}`,
      );
    }
    const filter = (name: (typeof paymentsParameters)[number]) => params.get(name);
    // sdk-php's getPayment sends `transaction`: a transaction id, or the payment's id (a UUID).
    const either = filter('transaction');
    const transactionId = filter('transaction_id');
    const paymentId = filter('payment_id');
    const shopOrderId = filter('shop_orderid');
    const shop = filter('shop');
    const terminal = filter('terminal');
    const limit = Number(params.get('limit') || defaultPaymentsLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > maxPaymentsLimit) {
      return bodyError(path, `Invalid limit: use a whole number from 1 to ${maxPaymentsLimit}`);
    }
    const found = [...this.byId.values()]
      .filter(
        (t) =>
          (either === undefined || t.transactionId === either || t.paymentId === either) &&
          (transactionId === undefined || t.transactionId === transactionId) &&
          (paymentId === undefined || t.paymentId === paymentId) &&
          (shopOrderId === undefined || t.shopOrderId === shopOrderId) &&
          (shop === undefined || shop === shopName) &&
          (terminal === undefined || t.terminal === terminal),
      )
      .slice(0, limit);
    // Like the gateway's (sdk-python 200_find_transaction_*.xml, sdk-php 20130430_get_payment*.xml): an
    // empty Result, the filter echoed (the record shows only TransactionIdEquals; other filters leave it
    // empty), and no Transactions element at all when nothing matches: sdk-python's find() relies on that.
    const idFilter = transactionId ?? either;
    return {
      status: 200,
      xml: apiResponseXml({
        path,
        result: '',
        bodyElements: [
          {
            name: 'ResultFilter',
            children: idFilter === undefined ? [] : [{ name: 'TransactionIdEquals', text: idFilter }],
          },
        ],
        ...(found.length === 0 ? {} : { transactions: found }),
      }),
    };
  }

  /** The configured terminals in the shape of api-php's tests/Api/Results/terminals.xml. */
  private getTerminals(): ApiAnswer {
    const terminals: XmlElement[] = this.options.terminals.map((title) => ({
      name: 'Terminal',
      children: [
        { name: 'Title', text: title },
        { name: 'Country', text: '' },
        // The payment page offers a card and an invoice on every terminal.
        { name: 'Natures', children: ['CreditCard', 'Invoice'].map((text) => ({ name: 'Nature', text })) },
        // Every terminal takes every currency here; sdk-php's AltapayTerminal reads XXX as "any".
        { name: 'Currencies', children: [{ name: 'Currency', text: 'XXX' }] },
        {
          name: 'Methods',
          children: ['TestAcquirer', 'TestInvoiceAcquirer'].map((text) => ({ name: 'Method', text })),
        },
      ],
    }));
    return {
      status: 200,
      result: 'Success',
      xml: apiResponseXml({
        path: 'API/getTerminals',
        result: 'Success',
        bodyElements: [{ name: 'Terminals', children: terminals }],
      }),
    };
  }

  /** No settlements happen here: an empty list, in the shape of sdk-python's 200_funding_list_page_0.xml. */
  private fundingList(): ApiAnswer {
    return {
      status: 200,
      xml: apiResponseXml({
        path: 'API/fundingList',
        bodyElements: [{ name: 'Fundings', attributes: { numberOfPages: '0' }, children: [] }],
      }),
    };
  }

  /**
   * Replaces one invoice order line by another (Klarna): exactly two lines, the original with a
   * negative quantity, the replacement with the same quantity positive. Refusals are header errors, as
   * in sdk-python's 200_update_order_error.xml.
   */
  private updateOrder(params: Params): ApiAnswer {
    const path = 'API/updateOrder';
    const paymentId = params.get('payment_id') ?? '';
    if (paymentId === '') return headerError(path, "Missing mandatory parameter 'payment_id'");
    const transaction = [...this.byId.values()].find((t) => t.paymentId === paymentId);
    if (transaction === undefined) return headerError(path, `No payment with payment_id ${paymentId}`);
    // api-php's newer UpdateOrder sends the order's new `amount` with any lines: a different contract,
    // which the public record does not describe well enough to simulate.
    if (params.has('amount')) {
      return headerError(path, 'updateOrder with an amount is not simulated: send the two order lines only');
    }
    if (transaction.paymentNature !== 'Invoice') {
      return headerError(
        path,
        `updateOrder is only supported for Invoice payments, not ${transaction.paymentNature}`,
      );
    }
    const lines = indexedGroup(params, 'orderLines');
    const [original, replacement] = lines;
    if (lines.length !== 2 || original === undefined || replacement === undefined) {
      return headerError(path, 'Number of original order lines and updated ones does not match.');
    }
    const quantity = (line: Readonly<Record<string, string>>) => Number(line.quantity ?? 'NaN');
    if (!(quantity(original) < 0) || quantity(original) !== -quantity(replacement)) {
      return headerError(
        path,
        'The original order line needs a negative quantity, the replacement the same quantity positive',
      );
    }
    return { status: 200, result: 'Success', xml: apiResponseXml({ path, result: 'Success' }) };
  }

  private capture(params: Params): ApiAnswer {
    const path = 'API/captureReservation';
    const transaction = this.byId.get(params.get('transaction_id') ?? '');
    if (transaction === undefined) return bodyError(path, unknownTransaction(params));
    const currency = currencyOf(transaction);
    const reserved = minorUnits(transaction.reservedAmount, currency);
    const captured = minorUnits(transaction.capturedAmount, currency);
    const refuse = (message: string) =>
      operationError(path, message, transaction, {
        CaptureAmount: '',
        CaptureCurrency: currency.numeric,
        CaptureResult: 'Error',
      });
    // A refund of an earlier part leaves the rest of the reservation capturable.
    if (!['preauth', 'captured', 'refunded'].includes(transaction.transactionStatus)) {
      return refuse(`Transaction in status ${transaction.transactionStatus} cannot be captured`);
    }
    const amount = this.requestedAmount(params, currency, reserved - captured);
    if (typeof amount === 'string') return refuse(amount);
    if (amount <= 0n) return refuse('You can not capture an amount less than or equal to 0');
    if (amount > reserved - captured) {
      return refuse(
        `The capture amount ${formatMinorUnits(amount, currency.exponent)} is greater than the remaining reserved amount ${formatMinorUnits(reserved - captured, currency.exponent)}`,
      );
    }
    const capturedAmount = formatMinorUnits(amount, currency.exponent);
    const updated = this.change(
      transaction,
      {
        transactionStatus: 'captured',
        capturedAmount: formatMinorUnits(captured + amount, currency.exponent),
      },
      { amount: capturedAmount, type: 'captured' },
    );
    return {
      status: 200,
      result: 'Success',
      xml: apiResponseXml({
        path,
        result: 'Success',
        extraBody: {
          CaptureAmount: capturedAmount,
          CaptureCurrency: currency.numeric,
          CaptureResult: 'Success',
        },
        transactions: [updated],
      }),
    };
  }

  private release(params: Params): ApiAnswer {
    const path = 'API/releaseReservation';
    const transaction = this.byId.get(params.get('transaction_id') ?? '');
    if (transaction === undefined) return bodyError(path, unknownTransaction(params));
    const currency = currencyOf(transaction);
    // Release is all or nothing, and only while nothing has been captured.
    if (
      transaction.transactionStatus !== 'preauth' ||
      minorUnits(transaction.capturedAmount, currency) > 0n
    ) {
      return operationError(
        path,
        `Transaction in status ${transaction.transactionStatus} cannot be released`,
        transaction,
        { CancelResult: 'Error' },
      );
    }
    const updated = this.change(transaction, { transactionStatus: 'released' });
    return {
      status: 200,
      result: 'Success',
      xml: apiResponseXml({
        path,
        result: 'Success',
        extraBody: { CancelResult: 'Success' },
        transactions: [updated],
      }),
    };
  }

  private refund(params: Params): ApiAnswer {
    const path = 'API/refundCapturedReservation';
    const transaction = this.byId.get(params.get('transaction_id') ?? '');
    if (transaction === undefined) return bodyError(path, unknownTransaction(params));
    const currency = currencyOf(transaction);
    const captured = minorUnits(transaction.capturedAmount, currency);
    const refunded = minorUnits(transaction.refundedAmount, currency);
    const refuse = (message: string) =>
      operationError(path, message, transaction, {
        RefundAmount: '',
        RefundCurrency: currency.numeric,
        RefundResult: 'Error',
      });
    const amount = this.requestedAmount(params, currency, captured - refunded);
    if (typeof amount === 'string') return refuse(amount);
    if (captured - refunded <= 0n) return refuse('There is no captured amount to refund');
    if (amount <= 0n) return refuse('You can not refund an amount less than or equal to 0');
    if (amount > captured - refunded) {
      return refuse(
        `The refund amount ${formatMinorUnits(amount, currency.exponent)} is greater than the captured amount not yet refunded ${formatMinorUnits(captured - refunded, currency.exponent)}`,
      );
    }
    const refundAmount = formatMinorUnits(amount, currency.exponent);
    const updated = this.change(
      transaction,
      {
        transactionStatus: 'refunded',
        refundedAmount: formatMinorUnits(refunded + amount, currency.exponent),
      },
      { amount: refundAmount, type: 'refunded' },
    );
    return {
      status: 200,
      result: 'Success',
      xml: apiResponseXml({
        path,
        result: 'Success',
        extraBody: { RefundAmount: refundAmount, RefundCurrency: currency.numeric, RefundResult: 'Success' },
        transactions: [updated],
      }),
    };
  }

  /**
   * chargeSubscription / reserveSubscriptionCharge: each charge is a new transaction of the order
   * (AuthType subscription_payment), the agreement stays as it is; the answer lists both, the
   * agreement first, as the gateway's does.
   */
  private chargeAgreement(
    method: 'chargeSubscription' | 'reserveSubscriptionCharge',
    params: Params,
    state: 'captured' | 'reserved',
  ): ApiAnswer {
    const path = `API/${method}`;
    // sdk-python names the agreement `agreement[id]`; sdk-php and api-php send `transaction_id`.
    const agreementId = params.get('transaction_id') ?? params.get('agreement[id]');
    const agreement = this.byId.get(agreementId ?? '');
    if (agreement === undefined) {
      return bodyError(
        path,
        agreementId === undefined || agreementId === ''
          ? "Missing mandatory parameter 'transaction_id' (or 'agreement[id]')"
          : `No transaction with transaction_id ${agreementId}`,
      );
    }
    if (agreement.transactionStatus !== 'recurring_confirmed') {
      return operationError(
        path,
        `Transaction ${agreement.transactionId} is no active subscription (status ${agreement.transactionStatus})`,
        agreement,
        {},
      );
    }
    const currency = currencyOf(agreement);
    const amount = this.requestedAmount(params, currency, 0n);
    if (typeof amount === 'string') return operationError(path, amount, agreement, {});
    if (amount <= 0n) return operationError(path, 'The amount must be greater than 0', agreement, {});
    const charge = this.chargeOn(agreement, state, formatMinorUnits(amount, currency.exponent));
    return {
      status: 200,
      result: 'Success',
      xml: apiResponseXml({ path, result: 'Success', transactions: [agreement, charge] }),
    };
  }

  // --- helpers ------------------------------------------------------------------------------------

  /** The `amount` parameter in minor units, `fallback` when absent, or a refusal message. */
  private requestedAmount(params: Params, currency: Currency, fallback: bigint): bigint | string {
    const raw = params.get('amount');
    if (raw === undefined || raw === '') return fallback;
    if (!requestAmount.test(raw)) return `Invalid amount '${raw}'`;
    return (
      toMinorUnits(raw, currency.exponent) ??
      `Invalid amount '${raw}': ${currency.alpha} has ${currency.exponent} decimals`
    );
  }

  private change(
    transaction: SimTransaction,
    changes: Partial<SimTransaction>,
    reconciliation?: { amount: string; type: string },
  ): SimTransaction {
    const at = this.tick(transaction.transactionId);
    const identifiers = transaction.reconciliationIdentifiers ?? [];
    const updated: SimTransaction = {
      ...transaction,
      ...changes,
      updatedDate: gatewayDateTime(at),
      ...(reconciliation === undefined
        ? {}
        : {
            reconciliationIdentifiers: [
              ...identifiers,
              {
                id: randomUUID(),
                amount: reconciliation.amount,
                type: reconciliation.type,
                date: gatewayTimestamp(at),
              },
            ],
          }),
    };
    this.byId.set(transaction.transactionId, updated);
    return updated;
  }

  /**
   * Now, but always at least one second after the transaction's previous change: UpdatedDate has
   * second resolution, and merchants order callbacks by it.
   */
  private tick(transactionId: string): Date {
    const previous = this.lastChange.get(transactionId);
    const now = Date.now();
    const at = previous === undefined ? now : Math.max(now, Math.floor(previous / 1000) * 1000 + 1000);
    this.lastChange.set(transactionId, at);
    return new Date(at);
  }

  private mustGet(transactionId: string): SimTransaction {
    const transaction = this.byId.get(transactionId);
    if (transaction === undefined) throw new Error(`No transaction ${transactionId}`);
    return transaction;
  }
}

/** A refusal of the request itself: ErrorCode non-zero, an empty Body (sdk-ruby bad_request_error.xml). */
function headerError(path: string, message: string): ApiAnswer {
  return { status: 200, xml: apiResponseXml({ path, header: { errorCode: '400', errorMessage: message } }) };
}

function bodyError(path: string, message: string): ApiAnswer {
  return {
    status: 200,
    result: 'Error',
    xml: apiResponseXml({
      path,
      result: 'Error',
      merchantErrorMessage: message,
      cardHolderErrorMessage: message,
      cardHolderMessageMustBeShown: false,
    }),
  };
}

/** A refused operation: Result Error with the transaction, as `200_capture_payment_already_captured.xml`. */
function operationError(
  path: string,
  message: string,
  transaction: SimTransaction,
  extraBody: Record<string, string>,
): ApiAnswer {
  return {
    status: 200,
    result: 'Error',
    xml: apiResponseXml({
      path,
      result: 'Error',
      merchantErrorMessage: message,
      cardHolderErrorMessage: message,
      cardHolderMessageMustBeShown: false,
      extraBody,
      transactions: [transaction],
    }),
  };
}

function unknownTransaction(params: Params): string {
  const id = params.get('transaction_id');
  return id === undefined || id === ''
    ? "Missing mandatory parameter 'transaction_id'"
    : `No transaction with transaction_id ${id}`;
}

function currencyOf(transaction: SimTransaction): Currency {
  const currency = findCurrency(transaction.currencyNumeric);
  if (currency === undefined) throw new Error(`Unknown currency ${transaction.currencyNumeric}`);
  return currency;
}

function minorUnits(amount: string, currency: Currency): bigint {
  return toMinorUnits(amount, currency.exponent) ?? 0n;
}

/** `prefix[key]` parameters as { key: value }. */
function bracketGroup(params: Params, prefix: string): Record<string, string> {
  const group: Record<string, string> = {};
  const pattern = new RegExp(`^${prefix}\\[([^\\]]+)\\]$`);
  for (const [name, value] of params) {
    const key = pattern.exec(name)?.[1];
    if (key !== undefined) group[key] = value;
  }
  return group;
}

/** `prefix[i][key]` parameters as a list ordered by i. */
function indexedGroup(params: Params, prefix: string): Record<string, string>[] {
  const rows = new Map<number, Record<string, string>>();
  const pattern = new RegExp(`^${prefix}\\[(\\d+)\\]\\[([^\\]]+)\\]$`);
  for (const [name, value] of params) {
    const match = pattern.exec(name);
    if (match === null) continue;
    const index = Number(match[1]);
    const row = rows.get(index) ?? {};
    row[match[2] ?? ''] = value;
    rows.set(index, row);
  }
  return [...rows].sort(([a], [b]) => a - b).map(([, row]) => row);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function definedOnly<T extends Record<string, string | undefined>>(record: T): { [K in keyof T]?: string } {
  const result: { [K in keyof T]?: string } = {};
  for (const key of Object.keys(record) as (keyof T)[]) {
    const value = record[key];
    if (value !== undefined && value !== '') result[key] = value;
  }
  return result;
}

function isRequestType(type: string): type is SimRequestType {
  return (requestTypes as readonly string[]).includes(type);
}
