import { type ApiResponse, type GatewayTransaction, parseApiResponse } from '../altapay/api-response';
import { type CallbackForm, parseCallbackForm } from '../altapay/callback-form';
import { requireValidChecksum } from '../altapay/checksum';
import { findCurrency } from '../altapay/currency';
import { decodeFormBody } from '../altapay/form-body';
import { DependencyError, MalformedRequestError } from '../errors';
import { applyCallback, type CallbackFacts, type Decision } from '../payments/apply-callback';
import type { CallbackLogEntry } from '../payments/callback-log';
import type { CallbackType, Payment } from '../payments/payment';
import { describe, queueWork, saveDecision } from '../payments/save-decision';
import type { Clock, Log, PaymentStore, QueuedCallback, WorkQueue } from '../ports';

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
  const receivedAt = deps.clock.now().toISOString();

  const cardholderMessage = mustShowMessage(form, response);
  const message = cardholderMessage ? { cardholderMessage } : {};
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
    statusAfter: decision.payment.status,
  });
  let saved: Awaited<ReturnType<typeof saveDecision>>;
  try {
    saved = await saveDecision(deps, facts, receivedAt, logEntryOf);
  } catch (error) {
    if (!(error instanceof DependencyError) || !deps.queueWhenTableFails) throw error;
    await queueInstead(deps, { callbackType, body: Buffer.from(body).toString('base64'), receivedAt }, error);
    // What the callback says on its own; the worker records it once the table is back.
    return { outcome: 'queued', payment: applyCallback(undefined, facts, receivedAt).payment, ...message };
  }
  const { decision, work } = saved;
  const { payment } = decision;
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
    version: payment.version,
  });
  return { outcome: decision.outcome, payment, ...message };
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
 * The table is down: puts the verified raw callback on the queue instead, so a 2xx still means the
 * callback is durable. If the queue fails too, the table's error stands: 503, the gateway may retry.
 */
async function queueInstead(deps: RecordCallbackDeps, callback: QueuedCallback, tableError: DependencyError) {
  try {
    await deps.queue.enqueueCallback(callback);
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

/** The gateway's customer-safe text, only when it says the customer must see it (xml first, then form). */
function mustShowMessage(form: CallbackForm, response: ApiResponse): string | undefined {
  if (response.cardHolderMessageMustBeShown && response.cardHolderErrorMessage)
    return response.cardHolderErrorMessage;
  if (form.cardholder_message_must_be_shown?.toLowerCase() === 'true' && form.error_message)
    return form.error_message;
  return undefined;
}
