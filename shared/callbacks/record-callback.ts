import { type ApiResponse, type GatewayTransaction, parseApiResponse } from '../altapay/api-response';
import { type CallbackForm, parseCallbackForm } from '../altapay/callback-form';
import { requireValidChecksum } from '../altapay/checksum';
import { findCurrency } from '../altapay/currency';
import { decodeFormBody } from '../altapay/form-body';
import { DependencyError, MalformedRequestError, tableCall } from '../errors';
import { applyCallback, type CallbackFacts, type Decision } from '../payments/apply-callback';
import type { CallbackEvent, CallbackType, Payment, PaymentStatus, PaymentWork } from '../payments/payment';
import type { Clock, Log, PaymentStore, TransactionRecord, WorkQueue } from '../ports';

export interface RecordCallbackDeps {
  readonly store: PaymentStore;
  readonly queue: WorkQueue;
  readonly clock: Clock;
  readonly log: Log;
  readonly newId: () => string;
  /** The terminal's shared secret, then the previous one during a rotation. Empty: no checksum check. */
  readonly callbackSecrets: readonly string[];
}

export interface RecordedCallback {
  readonly outcome: Decision['outcome'];
  readonly payment: Payment;
  /** The gateway's customer-safe error text, only when the gateway says it must be shown. */
  readonly cardholderMessage?: string;
}

/** Optimistic-lock retries; 100 identical callbacks at once settle in two rounds. */
const maxSaveAttempts = 8;

/**
 * Records one gateway callback (ok, fail, open or notification) from its raw form body:
 * decode once → verify the checksum → validate → parse the xml → decide → persist → queue the work.
 *
 * Idempotent: a duplicate is answered like the original and changes nothing; every write is safe to
 * repeat, so a 503 from a failing dependency can be retried by the gateway.
 */
export async function recordCallback(
  deps: RecordCallbackDeps,
  callbackType: CallbackType,
  body: Uint8Array,
): Promise<RecordedCallback> {
  const fields = decodeFormBody(body);
  // Verify before interpreting anything (the checksum covers the raw posted strings).
  requireValidChecksum(fields, deps.callbackSecrets);
  const form = parseCallbackForm(fields);
  const response = parseApiResponse(form.xml);
  const facts = toFacts(callbackType, form, response);
  const receivedAt = deps.clock.now().toISOString();

  const { decision, work } = await decide(deps, facts, receivedAt);
  const { payment } = decision;
  if (work) await queueWork(deps, work);
  const event: CallbackEvent = {
    shopOrderId: facts.shopOrderId,
    eventId: deps.newId(),
    callbackType,
    receivedAt,
    outcome: decision.outcome,
    duplicate: decision.outcome !== 'changed',
    ...(facts.result === undefined ? {} : { result: facts.result }),
    transactionIds: facts.transactions.map((t) => t.transactionId),
    statusAfter: payment.status,
  };
  await tableCall('record the callback', () =>
    Promise.all([
      deps.store.saveTransactionRecords(recordsFor(facts, payment)),
      deps.store.appendEvent(event),
    ]),
  );
  deps.log.info('callback recorded', {
    callbackType,
    shopOrderId: facts.shopOrderId,
    transactionIds: event.transactionIds,
    outcome: decision.outcome,
    status: payment.status,
    version: payment.version,
  });
  const cardholderMessage = mustShowMessage(form, response);
  return { outcome: decision.outcome, payment, ...(cardholderMessage ? { cardholderMessage } : {}) };
}

/**
 * Turns the form and its xml into facts, refusing a callback whose xml and form disagree: the checksum
 * covers only the form's shop_orderid, amount and currency, so the xml must describe that same order.
 */
function toFacts(callbackType: CallbackType, form: CallbackForm, response: ApiResponse): CallbackFacts {
  if (response.header.errorCode !== '0') {
    throw new MalformedRequestError(
      'xml_header_error',
      `The xml carries a gateway error (ErrorCode ${response.header.errorCode}), not a payment result.`,
    );
  }
  // Validated by the form schema.
  const currency = findCurrency(form.currency);
  if (currency === undefined) throw new MalformedRequestError('invalid_field', 'Field currency is unknown.');
  const transactions: GatewayTransaction[] = [];
  for (const t of response.transactions) {
    if (t.shopOrderId !== form.shop_orderid) {
      throw mismatch(`the xml's ShopOrderId ${JSON.stringify(t.shopOrderId)} is not shop_orderid`);
    }
    if (t.transactionId === '') continue; // a transaction that never happened (reference sample 15)
    const own = findCurrency(t.currencyNumeric);
    if (own === undefined) {
      throw new MalformedRequestError(
        'invalid_field',
        `XML MerchantCurrency ${t.currencyNumeric} is unknown.`,
      );
    }
    if (own.alpha !== currency.alpha) {
      throw mismatch(`the xml's MerchantCurrency ${t.currencyNumeric} is not currency ${form.currency}`);
    }
    transactions.push({ ...t, currencyAlpha: own.alpha });
  }
  const postedId = form.transaction_id;
  if (postedId && transactions.length > 0 && !transactions.some((t) => t.transactionId === postedId)) {
    throw mismatch(`transaction_id ${JSON.stringify(postedId)} is not among the xml's transactions`);
  }
  return {
    callbackType,
    shopOrderId: form.shop_orderid,
    currency: currency.alpha,
    ...(response.result === undefined ? {} : { result: response.result }),
    transactions,
  };
}

function mismatch(what: string): MalformedRequestError {
  return new MalformedRequestError('form_xml_mismatch', `The form fields and the xml disagree: ${what}.`);
}

/** Reads, decides and saves with an optimistic lock, retrying when another callback got there first. */
async function decide(
  deps: RecordCallbackDeps,
  facts: CallbackFacts,
  receivedAt: string,
): Promise<{ decision: Decision; work?: PaymentWork }> {
  for (let attempt = 1; attempt <= maxSaveAttempts; attempt++) {
    const current = await tableCall('read the payment', () => deps.store.getPayment(facts.shopOrderId));
    const decision = applyCallback(current, facts, receivedAt);
    if (decision.outcome !== 'changed') return { decision };
    const work = decision.causesWork ? workFor(decision, facts, current?.status, receivedAt) : undefined;
    const saved = await tableCall('save the payment', () =>
      deps.store.savePayment(decision.payment, current?.version, work),
    );
    if (saved === 'saved') return work ? { decision, work } : { decision };
  }
  throw new DependencyError('payments-table', `Payment ${facts.shopOrderId} kept changing under us; retry.`);
}

/**
 * The work of a state change. Its id is derived from the order and version, so the outbox entry and
 * the queued message are the same work however often either is written.
 */
function workFor(
  decision: Decision,
  facts: CallbackFacts,
  previousStatus: PaymentStatus | undefined,
  createdAt: string,
): PaymentWork {
  const { payment } = decision;
  return {
    ...(previousStatus === undefined ? {} : { previousStatus }),
    workId: `${payment.shopOrderId}#${payment.version}`,
    shopOrderId: payment.shopOrderId,
    version: payment.version,
    callbackType: facts.callbackType,
    status: payment.status,
    transactionIds: decision.changedTransactions.map((t) => t.transactionId),
    createdAt,
  };
}

/**
 * Queues the work and clears it from the outbox. A failure here does not fail the callback: the
 * state change and its pending work are already durable together, and the sweeper queues it later.
 */
async function queueWork(deps: RecordCallbackDeps, work: PaymentWork): Promise<void> {
  try {
    await deps.queue.enqueue(work);
  } catch (error) {
    deps.log.error('work queue unavailable; work stays pending in the outbox', {
      workId: work.workId,
      error: describe(error),
    });
    return;
  }
  try {
    await deps.store.markWorkQueued(work);
  } catch (error) {
    // The message is on the queue; the sweeper may send it again, and the worker deduplicates.
    deps.log.warn('work queued but not cleared from the outbox', {
      workId: work.workId,
      error: describe(error),
    });
  }
}

/**
 * Full records of the transactions this callback describes in their recorded state (changed now, or
 * a duplicate of the recorded state: rewriting those heals a record lost to a crash). Stale ones skip.
 */
function recordsFor(facts: CallbackFacts, payment: Payment): TransactionRecord[] {
  const records: TransactionRecord[] = [];
  for (const t of facts.transactions) {
    const state = payment.transactions[t.transactionId];
    const isRecordedState =
      state !== undefined &&
      state.gatewayUpdatedDate === t.updatedDate &&
      state.paymentStatus === t.transactionStatus;
    if (!isRecordedState) continue;
    records.push({
      ...state,
      shopOrderId: facts.shopOrderId,
      ...optional({
        terminal: t.terminal,
        cardStatus: t.cardStatus,
        paymentNature: t.paymentNature,
        paymentSchemeName: t.paymentSchemeName,
        threeDSecureResult: t.threeDSecureResult,
        liableForChargeback: t.liableForChargeback,
        fraudRecommendation: t.fraudRecommendation,
        fraudRiskScore: t.fraudRiskScore,
        reasonCode: t.reasonCode,
        gatewayCreatedDate: t.createdDate,
      }),
    });
  }
  return records;
}

function optional<T extends Record<string, string | undefined>>(values: T): Partial<Record<keyof T, string>> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<
    Record<keyof T, string>
  >;
}

/** The gateway's customer-safe text, only when it says the customer must see it (xml first, then form). */
function mustShowMessage(form: CallbackForm, response: ApiResponse): string | undefined {
  if (response.cardHolderMessageMustBeShown && response.cardHolderErrorMessage)
    return response.cardHolderErrorMessage;
  if (form.cardholder_message_must_be_shown?.toLowerCase() === 'true' && form.error_message)
    return form.error_message;
  return undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
