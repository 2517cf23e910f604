import { callbackDelivery } from '../../local/altapay-simulator/callback-delivery';
import { checkout } from '../../local/altapay-simulator/checkout';
import { controlActions } from '../../local/altapay-simulator/control-actions';
import {
  apiResponseXml,
  type PaymentState,
  type SimTransaction,
  stateCallbackFields,
} from '../../local/altapay-simulator/documents';
import { FaultQueue } from '../../local/altapay-simulator/faults';
import {
  type ApiMethod,
  Ledger,
  type SimPaymentRequest,
  type SimRequestType,
} from '../../local/altapay-simulator/ledger';
import { elementAt, elementsAt, type ShapeNode } from './document-shape';

/**
 * The situations AltaPay's real documents show, each with the simulator's document for the same
 * situation, made the way the running simulator makes it: Merchant API answers from its `Ledger`,
 * callbacks from the same field builder its callback delivery uses.
 */

/** A document's situation and the simulator's counterpart, or why the simulator has none. */
export type Classified =
  | { readonly situation: string; readonly ours: () => string | Promise<string> }
  | { readonly notSimulated: string };

/** A callback POST's situation and the simulator's form fields for it, or why it has none. */
export type ClassifiedForm =
  | { readonly situation: string; readonly ours: () => Record<string, string> }
  | { readonly notSimulated: string };

const terminal = 'AltaPay Test Terminal';
const secret = 'conformance-secret';

/** A ledger with one paid-for payment request, the way the simulator's payment page makes them. */
class Scenario {
  readonly ledger = new Ledger({ baseUrl: () => 'http://127.0.0.1:8081', terminals: [terminal] });
  readonly request: SimPaymentRequest;

  constructor(type: SimRequestType, extra: Readonly<Record<string, string>> = {}) {
    this.ledger.call(
      'createPaymentRequest',
      new Map([
        ['terminal', terminal],
        ['shop_orderid', '4711001'],
        ['amount', '125.50'],
        ['currency', 'DKK'],
        ['type', type],
        ['customer_info[email]', 'jane@example.com'],
        ['customer_info[billing_firstname]', 'Jane'],
        ['customer_info[billing_lastname]', 'Doe'],
        ['customer_info[billing_address]', 'Main Street 1'],
        ['customer_info[billing_city]', 'Aarhus'],
        ['customer_info[billing_postal]', '8000'],
        ['customer_info[billing_country]', 'DK'],
        ['transaction_info[note]', 'conformance'],
        ...Object.entries(extra),
      ]),
    );
    const [request] = this.ledger.recentRequests(1);
    if (request === undefined) throw new Error('The simulator refused the scenario payment request.');
    this.request = request;
  }

  /** The customer's payment, settled in `state`. */
  pay(state: PaymentState, kind: 'card' | 'no-card' | 'invoice' = 'card'): SimTransaction {
    const created = this.ledger.openTransaction(this.request, kind);
    return this.ledger.settle(created.transactionId, state, this.request.formattedAmount);
  }

  call(method: ApiMethod, params: Record<string, string>): string {
    return this.ledger.call(method, new Map(Object.entries(params))).xml;
  }

  /** The result callback's form fields, as the simulator's callback delivery builds them. */
  callback(transaction: SimTransaction, state: PaymentState, alongside?: readonly SimTransaction[]) {
    return stateCallbackFields(state, {
      transaction,
      secret,
      type: this.request.type,
      amount: this.request.amount,
      ...(alongside === undefined ? {} : { alongside }),
    });
  }
}

function text(node: ShapeNode, path: string): string {
  return elementAt(node, path)?.text ?? '';
}

/** The callback for a payment that reached `state` (and its first charge, for an agreement). */
function callbackFor(state: PaymentState, type: SimRequestType, charge?: 'captured' | 'reserved') {
  const scenario = new Scenario(type);
  const kind = state === 'open' ? 'invoice' : state === 'cancelled' ? 'no-card' : 'card';
  const transaction = scenario.pay(state, kind);
  const alongside =
    charge === undefined
      ? undefined
      : [scenario.ledger.chargeOn(transaction, charge, scenario.request.formattedAmount)];
  return scenario.callback(transaction, state, alongside);
}

function callbackXml(state: PaymentState, type: SimRequestType, charge?: 'captured' | 'reserved'): string {
  return callbackFor(state, type, charge).xml ?? '';
}

/** A captured payment's answers: `captureReservation` of `amount` (all when undefined). */
function captured(amount?: string): { scenario: Scenario; transactionId: string; answer: string } {
  const scenario = new Scenario('payment');
  const { transactionId } = scenario.pay('reserved');
  const answer = scenario.call('captureReservation', {
    transaction_id: transactionId,
    ...(amount === undefined ? {} : { amount }),
  });
  return { scenario, transactionId, answer };
}

function agreementCharge(method: 'chargeSubscription' | 'reserveSubscriptionCharge'): string {
  const scenario = new Scenario('subscription');
  const { transactionId } = scenario.pay('agreement');
  return scenario.call(method, { transaction_id: transactionId, amount: '49.95' });
}

/** An invoice payment's order line replaced by another (the two lines updateOrder takes). */
function updatedOrder(): string {
  const scenario = new Scenario('payment');
  const { paymentId } = scenario.pay('reserved', 'invoice');
  return scenario.call('updateOrder', {
    payment_id: paymentId,
    'orderLines[0][itemId]': 'SKU-1',
    'orderLines[0][quantity]': '-1',
    'orderLines[0][unitPrice]': '125.50',
    'orderLines[1][itemId]': 'SKU-2',
    'orderLines[1][quantity]': '1',
    'orderLines[1][unitPrice]': '125.50',
  });
}

/**
 * The callback_notification the control API's chargeback action posts (`POST
 * /control/orders/{shopOrderId}/chargeback`), on a captured payment. Its callbacks go through the
 * simulator's own delivery with the shutdown signal already raised: nothing is sent, and the record
 * keeps the fields exactly as they would have been posted.
 */
async function chargebackNotification(): Promise<string> {
  const scenario = new Scenario('paymentAndCapture', {
    'config[callback_notification]': 'http://merchant.invalid/altapay/notification',
  });
  scenario.pay('captured');
  const { ledger } = scenario;
  const stopped = new AbortController();
  stopped.abort();
  const callbacks = callbackDelivery({
    ledger,
    secret,
    timeouts: { connectTimeoutMs: 1000, answerTimeoutMs: 1000 },
    notificationDelayMs: 0,
    signal: stopped.signal,
    log: () => {},
  });
  const pay = checkout({
    ledger,
    callbacks,
    secret,
    faults: new FaultQueue(),
    answerTimeoutMs: 1000,
    signal: stopped.signal,
  });
  const actions = controlActions({ ledger, callbacks, pay, secret, log: () => {} });
  await actions.orderAction(scenario.request.shopOrderId, 'chargeback');
  const notification = callbacks.deliveries.findLast(({ type }) => type === 'notification');
  if (notification?.fields.xml === undefined)
    throw new Error('The chargeback action posted no notification.');
  return notification.fields.xml;
}

const apiSituations: Readonly<Record<string, () => string>> = {
  login: () => new Scenario('payment').call('login', {}),
  getTerminals: () => new Scenario('payment').call('getTerminals', {}),
  fundingList: () => new Scenario('payment').call('fundingList', {}),
  updateOrder: updatedOrder,
  createPaymentRequest: () =>
    new Scenario('payment').call('createPaymentRequest', {
      terminal,
      shop_orderid: '4711002',
      amount: '125.50',
      currency: 'DKK',
    }),
  captureReservation: () => captured().answer,
  'captureReservation (partial)': () => captured('25.00').answer,
  refundCapturedReservation: () => {
    const { scenario, transactionId } = captured();
    return scenario.call('refundCapturedReservation', { transaction_id: transactionId, amount: '25.00' });
  },
  releaseReservation: () => {
    const scenario = new Scenario('payment');
    const { transactionId } = scenario.pay('reserved');
    return scenario.call('releaseReservation', { transaction_id: transactionId });
  },
  chargeSubscription: () => agreementCharge('chargeSubscription'),
  reserveSubscriptionCharge: () => agreementCharge('reserveSubscriptionCharge'),
  'payments (found)': () => {
    const scenario = new Scenario('payment');
    scenario.pay('reserved');
    return scenario.call('payments', { shop_orderid: scenario.request.shopOrderId });
  },
  'payments (none found)': () => new Scenario('payment').call('payments', { shop_orderid: 'no-such-order' }),
  'Result=Error with the transaction (a refused operation)': () => {
    const { scenario, transactionId } = captured();
    return scenario.call('captureReservation', { transaction_id: transactionId });
  },
  'Result=Error without transactions': () =>
    new Scenario('payment').call('createPaymentRequest', { shop_orderid: '4711003' }),
  // The simulator's header-error fault (local/altapay-simulator/http-server.ts) answers this way.
  'header error': () =>
    apiResponseXml({
      path: 'API/captureReservation',
      header: { errorCode: '200', errorMessage: 'This request has error' },
    }),
};

/** The API method a Header/Path names: `API/captureReservation?transaction_id=1` → captureReservation. */
function methodOf(path: string): string {
  return path.replace(/^API\//, '').replace(/[?/].*$/, '');
}

/** Methods whose refusal carries the transaction; `yourApiCall` is sdk-ruby's placeholder for any of them. */
const operationMethods = new Set([
  'captureReservation',
  'refundCapturedReservation',
  'releaseReservation',
  'chargeSubscription',
  'reserveSubscriptionCharge',
  'yourApiCall',
]);

/** Methods the simulator does not answer (docs/altapay-protocol.md §8 lists those it does). */
const notImplemented = new Set([
  'setupSubscription',
  'createInvoiceReservation',
  'createMultiPaymentRequest',
  'getInvoiceText',
  'calculateSurcharge',
  'queryGiftCard',
]);

function api(situation: string): Classified {
  const ours = apiSituations[situation];
  if (ours === undefined) throw new Error(`No simulator document for ${situation}`);
  return { situation, ours };
}

function callback(situation: string, ours: () => string | Promise<string>): Classified {
  return { situation: `callback: ${situation}`, ours };
}

/** Sorts a real document into the situation it shows (by Header/Path, Result and its transactions). */
export function classifyDocument(real: ShapeNode): Classified {
  const errorCode = text(real, 'Header/ErrorCode');
  const method = methodOf(text(real, 'Header/Path'));
  const result = text(real, 'Body/Result');
  const transactions = elementsAt(real, 'Body/Transactions', 'Transaction');
  const statuses = transactions.map((t) => text(t, 'TransactionStatus'));
  const [first = '', second] = statuses;

  if (errorCode !== '' && errorCode !== '0') return api('header error');
  if (elementAt(real, 'Body') === undefined) return { notSimulated: 'no Body and no header error' };
  if (result === 'Error') {
    if (transactions.length === 0) return api('Result=Error without transactions');
    if (operationMethods.has(method)) return api('Result=Error with the transaction (a refused operation)');
    return callback('fail (Result=Error)', () => callbackXml('declined', 'payment'));
  }
  switch (method) {
    case 'createPaymentRequest':
      return api('createPaymentRequest');
    case 'payments':
    case 'transactions':
      return api(transactions.length === 0 ? 'payments (none found)' : 'payments (found)');
    case 'captureReservation': {
      const t = transactions[0];
      const partial = t !== undefined && text(t, 'CapturedAmount') !== text(t, 'ReservedAmount');
      return api(partial ? 'captureReservation (partial)' : 'captureReservation');
    }
    case 'refundCapturedReservation':
    case 'releaseReservation':
    case 'chargeSubscription':
    case 'reserveSubscriptionCharge':
    case 'login':
    case 'getTerminals':
    case 'fundingList':
      return api(method);
    case 'updateOrder':
      // api-php's UpdateReconciliationIdentifier posts to API/updateOrder/{paymentId}/reconciliationIdentifier.
      return text(real, 'Header/Path').endsWith('/reconciliationIdentifier')
        ? { notSimulated: 'the simulator does not implement updateReconciliationIdentifier' }
        : api(method);
  }
  // A createInvoiceReservation answer carries the transaction an open callback carries: compared as one.
  if (
    notImplemented.has(method) &&
    !(method === 'createInvoiceReservation' && first === 'invoice_initialized')
  ) {
    return { notSimulated: `the simulator does not implement API/${method}` };
  }
  // What is left is a callback's xml (ok, fail, open or notification).
  if (result === 'ChargebackEvent') return callback('notification (chargeback)', chargebackNotification);
  if (transactions.length === 0) {
    return {
      notSimulated: `Result=${result || '∅'} without transactions: the simulator's callbacks always carry one`,
    };
  }
  if (result === 'Cancelled') return callback('cancelled', () => callbackXml('cancelled', 'payment'));
  if (result === 'Failed') {
    return first === '3dsecure_failed'
      ? callback('fail (3-D Secure)', () => callbackXml('3ds-failed', 'payment'))
      : callback('fail (declined)', () => callbackXml('declined', 'payment'));
  }
  if (result === 'Open' || first === 'invoice_initialized') {
    return callback('open (invoice awaiting its credit check)', () => callbackXml('open', 'payment'));
  }
  if (result !== 'Success') return { notSimulated: `Result=${result}: no simulator callback has it` };
  if (first === 'recurring_confirmed' && (second === 'captured' || second === 'preauth')) {
    return callback('ok (agreement and its first charge)', () =>
      second === 'captured'
        ? callbackXml('agreement', 'subscriptionAndCharge', 'captured')
        : callbackXml('agreement', 'subscriptionAndReserve', 'reserved'),
    );
  }
  if (statuses.length === 1 && first === 'preauth') {
    return callback('ok (reserved)', () => callbackXml('reserved', 'payment'));
  }
  if (statuses.length === 1 && first === 'captured') {
    return callback('ok (captured)', () => callbackXml('captured', 'paymentAndCapture'));
  }
  return {
    notSimulated: `Result=Success with transactions in ${statuses.join(' + ')}: the simulator's payment page has no such outcome`,
  };
}

/** Sorts a real callback POST into the callback it is, by its `status` field. */
export function classifyForm(fields: Readonly<Record<string, string>>): ClassifiedForm {
  if (fields.xml === undefined) {
    return { notSimulated: 'callback_form / callback_redirect: the simulator posts neither' };
  }
  switch (fields.status) {
    case 'succeeded':
      return { situation: 'callback ok form', ours: () => callbackFor('reserved', 'payment') };
    case 'failed':
    case 'incomplete':
      return { situation: 'callback fail form', ours: () => callbackFor('3ds-failed', 'payment') };
    case 'cancelled':
      return { situation: 'callback cancelled form', ours: () => callbackFor('cancelled', 'payment') };
    case 'open':
      return { situation: 'callback open form', ours: () => callbackFor('open', 'payment') };
    default:
      return { notSimulated: `status=${fields.status}: no simulator callback posts it` };
  }
}
