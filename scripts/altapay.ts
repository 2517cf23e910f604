/**
 * `npm run altapay -- trigger <ok|fail|open|notification> --url <callback url> --order <id>`: posts
 * one callback exactly as the AltaPay gateway would (realistic form fields, the `xml` document, the
 * checksum) to any URL, local or deployed, and prints what came back.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  createdTransaction,
  formatMinorUnits,
  type PaymentState,
  settleTransaction,
  stateCallbackFields,
} from '../local/altapay-simulator/documents';
import { postForm } from '../local/altapay-simulator/http-client';
import { findCurrency } from '../shared/altapay/currency';
import { toMinorUnits } from '../shared/payments/money';

const usage = `Usage: npm run altapay -- trigger <ok|fail|open|notification> --url <callback url> --order <id> [options]

Posts a callback the way the AltaPay gateway does: the form fields, the xml document and, with a
secret, the checksum. Prints the status, the interesting headers and the start of the answer.

  ok            a reserved card payment (preauth, Result Success)
  fail          a declined card payment (preauth_error, Result Failed, message for the customer)
  open          a pending invoice payment (invoice_initialized, Result Open)
  notification  the pending payment concluded (preauth, Result Success, a later UpdatedDate)

Options:
  --url <url>           where to POST, e.g. http://127.0.0.1:3000/callbacks/ok
  --order <id>          shop_orderid
  --amount <amount>     dot-decimal amount (default 100.00)
  --currency <code>     DKK or 208 (default DKK; posted numeric, as the gateway does)
  --secret <secret>     the terminal's shared secret (default: $ALTAPAY_CALLBACK_SECRET); signs the callback
  --transaction <id>    the gateway's transaction id (default: a random number)
  --status <status>     report this TransactionStatus instead of the type's own (e.g. captured)
  -h, --help            this text

Exits 0 when the answer is 2xx or 3xx, 1 otherwise.`;

const triggerStates: Readonly<Record<string, PaymentState>> = {
  ok: 'reserved',
  fail: 'declined',
  open: 'open',
  notification: 'reserved',
};

/** A mistake in how the script was called: printed as one line, without a stack trace. */
class UsageError extends Error {}

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: 'string' },
      order: { type: 'string' },
      amount: { type: 'string', default: '100.00' },
      currency: { type: 'string', default: 'DKK' },
      secret: { type: 'string' },
      transaction: { type: 'string' },
      status: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const [command, callbackType, ...extra] = positionals;
  if (command !== 'trigger') {
    throw new UsageError(
      command === undefined ? 'missing command (try --help)' : `unknown command '${command}' (try --help)`,
    );
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const state = callbackType === undefined ? undefined : triggerStates[callbackType];
  if (callbackType === undefined || state === undefined) {
    throw new UsageError(
      `${callbackType === undefined ? 'missing callback type' : `unknown callback type '${callbackType}'`}: use ok, fail, open or notification`,
    );
  }
  const url = values.url;
  if (url === undefined) throw new UsageError('--url is required');
  if (!isHttpUrl(url)) throw new UsageError(`--url must be an http or https URL, not '${url}'`);
  const order = values.order;
  if (order === undefined || order === '') throw new UsageError('--order is required');
  const currency = findCurrency(values.currency);
  if (currency === undefined)
    throw new UsageError(
      `--currency must be an ISO 4217 currency code such as DKK or 208, not '${values.currency}'`,
    );
  const minor = /^\d{1,12}(\.\d{1,6})?$/.test(values.amount)
    ? toMinorUnits(values.amount, currency.exponent)
    : undefined;
  if (minor === undefined) {
    throw new UsageError(
      currency.exponent === 0
        ? `--amount must be a whole number of ${currency.alpha} such as 100, not '${values.amount}'`
        : `--amount must look like 100.00: digits, a dot, at most ${currency.exponent} decimals for ${currency.alpha}, not '${values.amount}'`,
    );
  }
  const transactionId = values.transaction ?? String(randomInt(10_000_000, 100_000_000));
  if (!/^[0-9a-f]{1,32}$/i.test(transactionId)) {
    throw new UsageError(`--transaction must be up to 32 digits or hex characters, not '${transactionId}'`);
  }
  const secret = values.secret ?? process.env.ALTAPAY_CALLBACK_SECRET;

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
    values.status === undefined ? settled : { ...settled, transactionStatus: values.status };
  const fields = stateCallbackFields(state, {
    transaction,
    amount: values.amount,
    date: now,
    ...(secret === undefined ? {} : { secret }),
  });

  console.log(
    `POST ${url}\n  callback ${callbackType}: order ${order}, ${values.amount} ${currency.alpha}, transaction ${transactionId}, ` +
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

/** The answer shortened for a terminal: for HTML its title, heading and visible text. */
function summarize(body: string, contentType: string): string {
  const limit = 1000;
  const isHtml = /html/i.test(contentType) || /^\s*<(!doctype|html)/i.test(body);
  if (!isHtml) return shorten(body.trim(), limit);
  const text = (pattern: RegExp) => collapse(pattern.exec(body)?.[1] ?? '');
  const lines: string[] = [];
  const title = text(/<title[^>]*>([\s\S]*?)<\/title>/i);
  const heading = text(/<h1[^>]*>([\s\S]*?)<\/h1>/i);
  if (title !== '') lines.push(`title: ${title}`);
  if (heading !== '') lines.push(`h1: ${heading}`);
  const visible = collapse(
    body
      .replace(/<(head|style|script)\b[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<[^>]*>/g, ' ')
      .replace(/&nbsp;/g, ' '),
  );
  lines.push(shorten(decodeEntities(visible), limit));
  return lines.join('\n');
}

function collapse(value: string): string {
  return decodeEntities(value.replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

function decodeEntities(value: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", middot: '·' };
  return value.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (entity, code: string) => {
    if (!code.startsWith('#')) return named[code.toLowerCase()] ?? entity;
    const point = /^#x/i.test(code) ? Number.parseInt(code.slice(2), 16) : Number(code.slice(1));
    return point <= 0x10ffff ? String.fromCodePoint(point) : entity;
  });
}

function shorten(value: string, limit: number): string {
  return value.length <= limit
    ? value
    : `${value.slice(0, limit)}… (${value.length - limit} more characters)`;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // UsageErrors and parseArgs' own errors (unknown or malformed options) alike: one line, no stack.
  const message = error instanceof Error ? error.message : String(error);
  // parseArgs appends advice about '--' that does not apply here.
  console.error(`altapay: ${message.split('. To specify a positional')[0]?.replace(/\s*\n\s*/g, ' ')}`);
  process.exitCode = 1;
}
