/**
 * `trigger <ok|fail|open|notification> --url <callback url> --order <id>`: posts one callback exactly as
 * the AltaPay gateway would (realistic form fields, the `xml` document, the checksum) to any URL, local
 * or deployed, and prints what came back. The transaction is made up: a handler that asks the gateway
 * about it (our worker does) finds it unknown.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import {
  createdTransaction,
  formatMinorUnits,
  type PaymentState,
  settleTransaction,
  stateCallbackFields,
} from '../../local/altapay-simulator/documents';
import { postForm } from '../../local/altapay-simulator/http-client';
import { findCurrency } from '../../shared/altapay/currency';
import { toMinorUnits } from '../../shared/payments/money';
import { summarize } from './answer-summary';
import { isHttpUrl, UsageError } from './usage-error';

/** The callback types the `--url` form posts, and the state each one reports. */
export const callbackTriggers: Readonly<Record<string, PaymentState>> = {
  ok: 'reserved',
  fail: 'declined',
  open: 'open',
  notification: 'reserved',
};

export interface CallbackTriggerOptions {
  readonly url: string;
  readonly order: string | undefined;
  readonly amount: string | undefined;
  readonly currency: string | undefined;
  readonly secret: string | undefined;
  readonly transaction: string | undefined;
  readonly status: string | undefined;
}

/** Posts the callback; resolves with the exit code (0 for a 2xx or 3xx answer). */
export async function triggerCallback(
  callbackType: string,
  options: CallbackTriggerOptions,
): Promise<number> {
  const state = callbackTriggers[callbackType];
  if (state === undefined) throw new Error(`not a callback type: ${callbackType}`);
  const { url } = options;
  if (!isHttpUrl(url)) throw new UsageError(`--url must be an http or https URL, not '${url}'`);
  const order = options.order;
  if (order === undefined || order === '') throw new UsageError('--order is required');
  const currencyCode = options.currency ?? 'DKK';
  const currency = findCurrency(currencyCode);
  if (currency === undefined)
    throw new UsageError(
      `--currency must be an ISO 4217 currency code such as DKK or 208, not '${currencyCode}'`,
    );
  const amount = options.amount ?? '100.00';
  const minor = /^\d{1,12}(\.\d{1,6})?$/.test(amount) ? toMinorUnits(amount, currency.exponent) : undefined;
  if (minor === undefined) {
    throw new UsageError(
      currency.exponent === 0
        ? `--amount must be a whole number of ${currency.alpha} such as 100, not '${amount}'`
        : `--amount must look like 100.00: digits, a dot, at most ${currency.exponent} decimals for ${currency.alpha}, not '${amount}'`,
    );
  }
  const transactionId = options.transaction ?? String(randomInt(10_000_000, 100_000_000));
  if (!/^[0-9a-f]{1,32}$/i.test(transactionId)) {
    throw new UsageError(`--transaction must be up to 32 digits or hex characters, not '${transactionId}'`);
  }
  const secret = options.secret ?? process.env.ALTAPAY_CALLBACK_SECRET;

  const now = new Date();
  const invoice = callbackType === 'open' || callbackType === 'notification';
  // A notification concludes a payment that was opened earlier: its UpdatedDate is later than CreatedDate.
  const created = createdTransaction({
    transactionId,
    paymentId: randomUUID(),
    authType: 'payment',
    shopOrderId: order,
    terminal: process.env.ALTAPAY_TERMINAL || 'AltaPay Test Terminal',
    currency,
    paymentNature: invoice ? 'Invoice' : 'CreditCard',
    withCard: !invoice,
    creditCardToken: randomBytes(20).toString('hex'),
    at: callbackType === 'notification' ? new Date(now.getTime() - 60_000) : now,
  });
  const settled = settleTransaction(created, state, formatMinorUnits(minor, currency.exponent), now);
  const transaction =
    options.status === undefined ? settled : { ...settled, transactionStatus: options.status };
  const fields = stateCallbackFields(state, {
    transaction,
    amount,
    date: now,
    ...(secret === undefined ? {} : { secret }),
  });

  console.log(
    `POST ${url}\n  callback ${callbackType}: order ${order}, ${amount} ${currency.alpha}, transaction ${transactionId}, ` +
      `${transaction.transactionStatus}, ${secret === undefined ? 'unsigned' : 'signed'}`,
  );
  const outcome = await postForm(url, fields, { connectTimeoutMs: 7000, answerTimeoutMs: 28_000 });
  if (!outcome.ok) {
    console.error(`altapay: no answer from ${url}: ${outcome.message}`);
    return 1;
  }
  const { status, headers, body } = outcome.answer;
  console.log(`\nHTTP ${status}`);
  for (const name of ['content-type', 'location']) {
    const value = headers[name];
    if (value !== undefined) console.log(`${name}: ${Array.isArray(value) ? value.join(', ') : value}`);
  }
  const summary = summarize(body, String(headers['content-type'] ?? ''));
  if (summary !== '') console.log(`\n${summary}`);
  return status >= 200 && status < 400 ? 0 : 1;
}
