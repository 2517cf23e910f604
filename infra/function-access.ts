import { paymentStoreCalls, type TableAction, type TableTarget } from '../adapters/dynamodb/table-calls';
import type { LambdaName } from '../functions/routes';
import type { PaymentStore } from '../shared/ports';
import type { PaymentSecretName } from './secrets';

/** The queues a function may send to. The queue adapters only ever send (`sqs:SendMessage`). */
export type QueueName = 'work' | 'work-dead-letter';

/** Settings a function may read besides `PAYMENTS_TABLE_NAME` and `WORK_QUEUE_URL`, which all get. */
export type Setting =
  | 'AUTO_CAPTURE'
  | 'MERCHANT_WEBHOOK_URL'
  /** Also grants `events:PutEvents` on that bus (payments-api.ts). */
  | 'EVENT_BUS_NAME'
  | 'ALTAPAY_GATEWAY_URL'
  | 'ALTAPAY_TERMINAL'
  | 'ALTAPAY_TERMINALS'
  | 'RECONCILE_AFTER_MINUTES'
  | 'SHOP_URL'
  | 'SHOP_CHECKOUT_URL'
  | 'PAGE_TEXTS'
  /** The base of the callback URLs given to the gateway, behind a custom domain. */
  | 'PUBLIC_BASE_URL';

export interface FunctionAccess {
  /**
   * The `PaymentStore` methods its code path calls (handler → use case → store). Its table permissions
   * are what those methods send (`paymentStoreCalls`), and nothing else.
   */
  readonly store: readonly (keyof PaymentStore)[];
  /**
   * Queues it may send to. Sending to the dead-letter queue also gives it `WORK_DLQ_URL` and
   * `WORK_MAX_ATTEMPTS`, so the permission and the settings that use it cannot drift apart.
   */
  readonly sendsTo: readonly QueueName[];
  readonly settings: readonly Setting[];
  /** The secrets it may read; each also gives it the secret's `*_SECRET_ARN` variable, and only those. */
  readonly secrets: readonly PaymentSecretName[];
}

/** Where the Merchant API is and which terminal to use (the credentials follow via Secrets Manager). */
const gateway: readonly Setting[] = ['ALTAPAY_GATEWAY_URL', 'ALTAPAY_TERMINAL', 'ALTAPAY_TERMINALS'];

/** What the pages a customer reads need: the links back to the shop and the merchant's texts. */
const customerPages: readonly Setting[] = ['SHOP_URL', 'SHOP_CHECKOUT_URL', 'PAGE_TEXTS'];

/**
 * recordCallback: saveDecision reads and saves the payment (its log entry travels with a change), a
 * callback that changes nothing is appended to the log, and the work goes to the queue (the callback
 * 's sealed facts when the table is down).
 */
const recordsCallback: FunctionAccess = {
  store: ['getPayment', 'savePayment', 'logCallback'],
  sendsTo: ['work'],
  // The answer to ok, fail and open is a customer page.
  settings: customerPages,
  secrets: ['altapay-callback'],
};

/**
 * runOperation: reads and claims the operation record, reads the payment, asks the gateway (API
 * user), records its answer through saveDecision (read and save the payment) and queues the work.
 */
const operatesOnPayments: FunctionAccess = {
  store: ['getOperation', 'saveOperation', 'getPayment', 'savePayment'],
  sendsTo: ['work'],
  settings: gateway,
  secrets: ['altapay-api'],
};

/**
 * What each function may do and read, and nothing more: each line lists what its code calls. Keyed by
 * every `LambdaName`, so a function added to `routes.ts` does not compile until it has its line here.
 */
export const functionAccess: Readonly<Record<LambdaName, FunctionAccess>> = {
  'callback-ok': recordsCallback,
  'callback-fail': recordsCallback,
  'callback-open': recordsCallback,
  'callback-notification': recordsCallback,
  // verifyOrder: checks the checksum, reads the order's payment to compare it with the amount to charge.
  'callback-verify-order': {
    store: ['getPayment'],
    sendsTo: [],
    // Its refusals are shown to the customer, in the merchant's texts.
    settings: ['PAGE_TEXTS'],
    secrets: ['altapay-callback'],
  },
  // createPayment: checks the order's signature (shop key), reads the order's payment, asks the gateway
  // (API user), saves the request (create or update).
  'create-payment': {
    store: ['getPayment', 'savePayment'],
    sendsTo: [],
    // A browser's form post that cannot be taken gets a page with the way back to the shop.
    // It gives the gateway our callback URLs, under PUBLIC_BASE_URL when the API has a custom domain.
    settings: [...gateway, 'SHOP_URL', 'PAGE_TEXTS', 'PUBLIC_BASE_URL'],
    secrets: ['altapay-api', 'shop-order'],
  },
  // getPaymentView: one read of the payment item, which carries its transactions and callback log.
  'payment-status': { store: ['getPaymentHistory'], sendsTo: [], settings: [], secrets: [] },
  'capture-payment': operatesOnPayments,
  'refund-payment': operatesOnPayments,
  'release-payment': operatesOnPayments,
  'charge-payment': operatesOnPayments,
  // runWorkMessage: processWork reads and saves its work record, clears the outbox, confirms through
  // saveDecision (read and save the payment), flags unconfirmed payments, chains work; a queued callback
  // is recorded as recordCallback does. Parks hopeless work on the DLQ itself. Asks the gateway (API
  // user), opens sealed callbacks and checks old raw ones (callback secret), signs the merchant's events (webhook key)
  // and puts them on the merchant's EventBridge bus when there is one.
  'payment-worker': {
    store: ['getWorkRecord', 'saveWorkRecord', 'markWorkQueued', 'getPayment', 'savePayment', 'logCallback'],
    sendsTo: ['work', 'work-dead-letter'],
    settings: ['AUTO_CAPTURE', 'MERCHANT_WEBHOOK_URL', 'EVENT_BUS_NAME', ...gateway],
    secrets: ['altapay-api', 'altapay-callback', 'merchant-webhook'],
  },
  // sweepPendingWork: lists the outboxes through the sparse index and queues their work again.
  'work-sweeper': { store: ['listPendingWork'], sendsTo: ['work'], settings: [], secrets: [] },
  // reconcilePayments: lists payments by status through the byStatus index, asks the gateway (API user,
  // `payments` needs no terminal), records its answer through saveDecision (read and save the payment,
  // the log entry travels with the change) and queues the work.
  reconciler: {
    store: ['listPaymentsByStatus', 'getPayment', 'savePayment'],
    sendsTo: ['work'],
    settings: ['ALTAPAY_GATEWAY_URL', 'RECONCILE_AFTER_MINUTES'],
    secrets: ['altapay-api'],
  },
};

/** The table actions `access` needs, by where they go (the table or an index), each listed once. */
export function tableActionsOf(access: FunctionAccess): ReadonlyMap<TableTarget, readonly TableAction[]> {
  const byTarget = new Map<TableTarget, Set<TableAction>>();
  for (const call of access.store.flatMap((method) => paymentStoreCalls[method])) {
    const actions = byTarget.get(call.on) ?? new Set<TableAction>();
    actions.add(call.action);
    byTarget.set(call.on, actions);
  }
  return new Map([...byTarget].map(([target, actions]) => [target, [...actions]]));
}
