import { paymentStatuses } from '../../shared/payments/payment';
import type { Command } from './command';
import { UsageError } from './errors';
import { none, parseCount, parseSince, table } from './format';
import { listPayments, type StoredPayment } from './records';

/** `list`: payments by status and time, newest first, from the `byStatus` index. */
export const listCommand: Command = {
  name: 'list',
  summary: 'payments, newest first',
  usage: `Usage: npm run payments -- list [--status <status>[,<status>...]] [--since <1h|30m|2d|ISO time>] [--limit <n>] [--json]

Lists payments, most recently updated first, from the table's byStatus index (one query per status,
never a scan).

  --status <s>    only these statuses: ${paymentStatuses.join(', ')}
  --since <when>  updated at or after: a duration back from now (45s, 30m, 1h, 2d) or an ISO time
  --limit <n>     at most n payments (default 50)
  --json          a JSON array, one object per payment`,
  options: ['status', 'since', 'limit', 'json'],
  async run({ target, options, args, out, now }) {
    if (args.length > 0) throw new UsageError(`unexpected argument '${args[0]}'`, 'list');
    const statuses = options.status === undefined ? paymentStatuses : parseStatuses(options.status);
    const since = options.since === undefined ? undefined : parseSince(options.since, now(), 'list');
    const limit = parseCount(options.limit ?? '50', '--limit', 'list');
    const payments = await listPayments(target, {
      statuses,
      limit,
      ...(since === undefined ? {} : { since }),
    });
    if (options.json) {
      out(JSON.stringify(payments.map(summary), null, 2));
      return 0;
    }
    if (payments.length === 0) {
      out(
        `No payments${options.status ? ` with status ${options.status}` : ''}${since ? ` updated since ${since}` : ''}.`,
      );
      return 0;
    }
    const rows = payments.map((p) => {
      const s = summary(p);
      return [
        s.updatedAt,
        s.shopOrderId,
        s.status,
        s.amount ?? none,
        s.currency ?? none,
        String(s.transactions),
        s.flags.join(',') || none,
      ];
    });
    for (const line of table(['updated', 'order', 'status', 'amount', 'currency', 'txns', 'flags'], rows))
      out(line);
    return 0;
  },
};

/** What `list` shows of a payment: the amount asked for, or, for an order started elsewhere, its latest transaction's. */
function summary(payment: StoredPayment) {
  const transactions = Object.values(payment.transactions ?? {})
    .filter((t) => t !== undefined)
    .sort((a, b) => (a.transactionId ?? '').localeCompare(b.transactionId ?? ''));
  const latest = transactions.at(-1);
  return {
    shopOrderId: payment.shopOrderId,
    status: payment.status,
    amount: payment.request?.amount ?? latest?.reservedAmount,
    currency: payment.currency ?? payment.request?.currency,
    flags: payment.flags ?? [],
    transactions: transactions.length,
    version: payment.version,
    createdAt: payment.createdAt,
    updatedAt: payment.updatedAt,
    lastCallbackAt: payment.lastCallbackAt,
  };
}

function parseStatuses(value: string): string[] {
  const statuses = value.split(',').map((s) => s.trim());
  const known: readonly string[] = paymentStatuses;
  const unknown = statuses.find((s) => !known.includes(s));
  if (unknown !== undefined) {
    throw new UsageError(`unknown status '${unknown}': use ${paymentStatuses.join(', ')}`, 'list');
  }
  return [...new Set(statuses)];
}
