import { type ApiResponse, type GatewayTransaction, parseApiResponse } from '../altapay/api-response';
import { type CallbackForm, parseCallbackForm } from '../altapay/callback-form';
import { requireValidChecksum } from '../altapay/checksum';
import { findCurrency } from '../altapay/currency';
import { decodeFormBody } from '../altapay/form-body';
import { DependencyError, MalformedRequestError } from '../errors';
import { applyCallback, type CallbackFacts, type Decision } from '../payments/apply-callback';
import type { CallbackLogEntry } from '../payments/callback-log';
import { type GatewayErrorMessages, keptMessage } from '../payments/error-messages';
import { type CallbackType, claimedStatusOf, type Payment } from '../payments/payment';
import { describe, queueWork, saveDecision } from '../payments/save-decision';
import type { Clock, Log, PaymentStore, WorkQueue } from '../ports';
import { sealCallback } from '../worker/seal-callback';
import type { QueuedCallback } from '../worker/work-message';

export interface RecordCallbackDeps {
  readonly store: PaymentStore;
  readonly queue: WorkQueue;
  readonly clock: Clock;
  readonly log: Log;
  readonly newId: () => string;
  /** The terminal's shared secret, then the previous one during a rotation. Empty: no checksum check. */
  readonly callbackSecrets: readonly string[];
  /**
   * When the table is down, put the callback on the queue and still answer 2xx (the Lambdas), or fail
   * so the message is retried (the worker, which is what reads that queue).
   */
  readonly queueWhenTableFails: boolean;
}

export interface RecordedCallback {
  /** queued: the table was down; the callback waits on the queue and `payment` is what it says alone. */
  readonly outcome: Decision['outcome'] | 'queued';
  readonly payment: Payment;
  /** The gateway's customer-safe error text, only when the gateway says it must be shown. */
  readonly cardholderMessage?: string;
}

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
  const recorded = await recordFacts(deps, facts, deps.clock.now().toISOString());
  const cardholderMessage = mustShowMessage(form, response);
  return cardholderMessage ? { ...recorded, cardholderMessage } : recorded;
}

/**
 * Records a callback the table could not take when it arrived, from the facts that waited on the
 * queue: the same decision and the same writes as a live callback, as of when it arrived.
 */
export function recordQueuedCallback(
  deps: Omit<RecordCallbackDeps, 'queueWhenTableFails'>,
  queued: QueuedCallback,
): Promise<RecordedCallback> {
  const { receivedAt, ...facts } = queued;
  // The masked PAN stays off the queue; the rest is the parsed transaction as it was.
  const transactions = facts.transactions.map((t) => ({ ...t, maskedPan: undefined }));
  return recordFacts({ ...deps, queueWhenTableFails: false }, { ...facts, transactions }, receivedAt);
}

/** Decide → persist → queue the work, for a callback's verified facts (see recordCallback). */
async function recordFacts(
  deps: RecordCallbackDeps,
  facts: CallbackFacts,
  receivedAt: string,
): Promise<RecordedCallback> {
  const { callbackType } = facts;
  // The callback's log entry, written with the change it causes (or alone when it causes none).
  const logEntryOf = (decision: Decision): CallbackLogEntry => ({
    shopOrderId: facts.shopOrderId,
    entryId: deps.newId(),
    callbackType,
    receivedAt,
    outcome: decision.outcome,
    duplicate: decision.outcome !== 'changed',
    ...(facts.result === undefined ? {} : { result: facts.result }),
    transactionIds: facts.transactions.map((t) => t.transactionId),
    statusAfter: claimedStatusOf(decision.payment),
  });
  let saved: Awaited<ReturnType<typeof saveDecision>>;
  try {
    saved = await saveDecision(deps, facts, receivedAt, logEntryOf);
  } catch (error) {
    if (!(error instanceof DependencyError) || !deps.queueWhenTableFails) throw error;
    await queueInstead(deps, queuedOf(facts, receivedAt), error);
    // What the callback says on its own; the worker records it once the table is back.
    return { outcome: 'queued', payment: applyCallback(undefined, facts, receivedAt).payment };
  }
  const { decision, work } = saved;
  const { payment } = decision;
  // What the callback claims on top of the confirmed status, until the worker asks the gateway.
  const claimed = claimedStatusOf(payment);
  // The change, its work and its log entry are durable together. At most one more call: the queue
  // send of a change's work, or the log entry of a callback that changed nothing.
  if (work) await queueWork(deps, work);
  else if (decision.outcome !== 'changed') await logUnchanged(deps, logEntryOf(decision));
  deps.log.info('callback recorded', {
    callbackType,
    shopOrderId: facts.shopOrderId,
    transactionIds: facts.transactions.map((t) => t.transactionId),
    outcome: decision.outcome,
    duplicate: decision.outcome !== 'changed',
    status: payment.status,
    ...(claimed === payment.status ? {} : { claimed }),
    version: payment.version,
  });
  return { outcome: decision.outcome, payment };
}

/** The facts that go on the queue: everything the decider reads but the masked PAN. */
function queuedOf(facts: CallbackFacts, receivedAt: string): QueuedCallback {
  return {
    callbackType: facts.callbackType,
    shopOrderId: facts.shopOrderId,
    currency: facts.currency,
    ...(facts.result === undefined ? {} : { result: facts.result }),
    transactions: facts.transactions.map(({ maskedPan: _, ...t }) => t),
    receivedAt,
  };
}

/** Logs a callback that changed nothing; a missing log line is not worth failing the callback for. */
async function logUnchanged(deps: RecordCallbackDeps, entry: CallbackLogEntry): Promise<void> {
  try {
    await deps.store.logCallback(entry);
  } catch (error) {
    deps.log.error('callback answered, but not logged', {
      shopOrderId: entry.shopOrderId,
      error: describe(error),
    });
  }
}

/**
 * The table is down: puts the callback's verified facts on the queue instead, sealed (seal-callback.ts),
 * so a 2xx still means the callback is durable. If the queue fails too, the table's error stands: 503, the gateway may retry.
 */
async function queueInstead(deps: RecordCallbackDeps, callback: QueuedCallback, tableError: DependencyError) {
  try {
    await deps.queue.enqueueCallback(sealCallback(callback, deps.callbackSecrets));
  } catch (queueError) {
    deps.log.error('table and queue both unavailable; callback refused with 503', {
      table: describe(tableError.cause),
      queue: describe(queueError),
    });
    throw tableError;
  }
  deps.log.warn('table unavailable; callback queued to be recorded by the worker', {
    callbackType: callback.callbackType,
    error: describe(tableError.cause),
  });
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
  const messages = errorMessagesOf(form, response);
  for (const t of response.transactions) {
    if (t.shopOrderId !== form.shop_orderid) {
      throw mismatch(`the xml's ShopOrderId ${JSON.stringify(t.shopOrderId)} is not shop_orderid`);
    }
    if (t.transactionId === '') continue; // a transaction that never was (docs/altapay-protocol.md §6.3)
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
    const postedId = form.transaction_id;
    // The messages are about the transaction the callback names (all of them when it names none).
    const about = !postedId || postedId === t.transactionId;
    transactions.push({ ...t, currencyAlpha: own.alpha, ...(about ? messages : {}) });
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

/** Why it failed, as the gateway said it: the xml's messages first, then the form's (bounded, see keptMessage). */
function errorMessagesOf(form: CallbackForm, response: ApiResponse): GatewayErrorMessages {
  const customer = keptMessage(response.cardHolderErrorMessage ?? form.error_message);
  const merchant = keptMessage(response.merchantErrorMessage ?? form.merchant_error_message);
  return {
    ...(customer === undefined ? {} : { customerErrorMessage: customer }),
    ...(merchant === undefined ? {} : { merchantErrorMessage: merchant }),
  };
}

/** The gateway's customer-safe text, only when it says the customer must see it (xml first, then form). */
function mustShowMessage(form: CallbackForm, response: ApiResponse): string | undefined {
  if (response.cardHolderMessageMustBeShown && response.cardHolderErrorMessage)
    return response.cardHolderErrorMessage;
  if (form.cardholder_message_must_be_shown?.toLowerCase() === 'true' && form.error_message)
    return form.error_message;
  return undefined;
}
