import { setTimeout as sleep } from 'node:timers/promises';
import { paymentStatuses } from '../../shared/payments/payment';
import type { Command } from './command';
import { UsageError } from './errors';
import { none, parseDuration, parseSince } from './format';
import { callbacksSince, listPayments, type StoredCallbackLogEntry } from './records';

/**
 * How far back each poll looks for updated payments beyond the previous poll: the byStatus index is
 * eventually consistent, so a payment saved just before a poll may show up only in the next one.
 */
const overlapMs = 5_000;
/**
 * A payment stays watched this long after its last change. A duplicate or stale callback changes
 * nothing, so it does not show in the index; it is seen only on a payment already being watched.
 */
const activeMs = 15 * 60_000;

/** `watch`: callbacks as they are logged, one line (or JSON object) each. */
export const watchCommand: Command = {
  name: 'watch',
  summary: 'callbacks as they arrive, one line each',
  usage: `Usage: npm run payments -- watch [--interval <2s>] [--since <when>] [--once | --for <duration>] [--json]

Prints each callback as it is recorded: time received, order, callback type, outcome (changed,
duplicate, stale), the payment's status after it, the gateway's result. Polls the byStatus index for
payments updated since the last poll, then reads their new callbacks. Ctrl-C stops it.

  --interval <d>  time between polls (default 2s)
  --since <when>  also print callbacks from this far back (30m, 1h, or an ISO time); default: from now
  --once          poll once and exit
  --for <d>       stop after this long (e.g. 10m)
  --json          one JSON object per line

Duplicates and stale callbacks are shown for payments that changed in the last 15 minutes.`,
  options: ['interval', 'since', 'once', 'for', 'json'],
  async run({ target, options, args, out, note, signal, now }) {
    if (args.length > 0) throw new UsageError(`unexpected argument '${args[0]}'`, 'watch');
    if (options.once && options.for !== undefined)
      throw new UsageError('use --once or --for, not both', 'watch');
    const intervalMs = parseDuration(options.interval ?? '2s', '--interval', 'watch');
    const started = now();
    const from =
      options.since === undefined ? started.toISOString() : parseSince(options.since, started, 'watch');
    const until =
      options.for === undefined
        ? undefined
        : started.getTime() + parseDuration(options.for, '--for', 'watch');
    note(
      `Watching callbacks on ${target.description} from ${from}${options.once ? ' (one poll)' : '; Ctrl-C to stop'}.`,
    );

    if (!options.json) out(entryHeader);
    const seen = new Set<string>();
    /** Watched orders and when each last changed (by our clock, so skew cannot keep one forever). */
    const active = new Map<string, number>();
    let updatedSince = from;
    while (!signal.aborted) {
      const pollStarted = now();
      const updated = await listPayments(target, {
        statuses: paymentStatuses,
        since: updatedSince,
        limit: 10_000,
      });
      for (const { shopOrderId } of updated) if (shopOrderId) active.set(shopOrderId, pollStarted.getTime());
      for (const [order, changedAt] of active) {
        if (pollStarted.getTime() - changedAt > activeMs) active.delete(order);
      }
      const fresh = (
        await Promise.all([...active.keys()].map((order) => callbacksSince(target, order, from)))
      )
        .flat()
        .filter((entry) => !seen.has(keyOf(entry)))
        .sort((a, b) => ((a.receivedAt ?? '') < (b.receivedAt ?? '') ? -1 : 1));
      for (const entry of fresh) {
        seen.add(keyOf(entry));
        out(options.json ? JSON.stringify(entryJson(entry)) : entryLine(entry));
      }
      updatedSince = new Date(pollStarted.getTime() - overlapMs).toISOString();
      if (options.once || (until !== undefined && now().getTime() >= until)) break;
      const wait =
        until === undefined ? intervalMs : Math.min(intervalMs, Math.max(0, until - now().getTime()));
      await sleep(wait, undefined, { signal }).catch(() => undefined);
    }
    return 0;
  },
};

/** Identifies a log entry across polls (an entry written without an id: by order and time). */
function keyOf(e: StoredCallbackLogEntry): string {
  return e.entryId ?? `${e.shopOrderId}|${e.receivedAt}`;
}

function entryJson(e: StoredCallbackLogEntry) {
  return {
    receivedAt: e.receivedAt,
    shopOrderId: e.shopOrderId,
    callbackType: e.callbackType,
    outcome: e.outcome,
    statusAfter: e.statusAfter,
    result: e.result,
    transactionIds: e.transactionIds,
    entryId: e.entryId,
  };
}

/** The text columns: fixed-width fields first, the order id (up to 100 characters) last, so they stay aligned. */
const entryHeader = `${'RECEIVED'.padEnd(24)}  ${'TYPE'.padEnd(12)}  ${'OUTCOME'.padEnd(9)}  ${'STATUS'.padEnd(10)}  ${'RESULT'.padEnd(9)}  ORDER`;

function entryLine(e: StoredCallbackLogEntry): string {
  const ids = e.transactionIds ?? [];
  const txns = ids.length > 0 ? `  (txn ${ids.join(',')})` : '';
  const cell = (value: string | undefined, width: number) => (value ?? none).padEnd(width);
  return `${cell(e.receivedAt, 24)}  ${cell(e.callbackType, 12)}  ${cell(e.outcome, 9)}  ${cell(e.statusAfter, 10)}  ${cell(e.result, 9)}  ${e.shopOrderId ?? none}${txns}`;
}
