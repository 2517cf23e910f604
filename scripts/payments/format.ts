/** Small helpers for the CLI's text output and its time options. */
import { UsageError } from './errors';

/**
 * Aligned columns, two spaces apart, headers in capitals; the last column is not padded, so long
 * reasons and errors stay on their line without trailing blanks.
 */
export function table(
  headers: readonly string[],
  rows: readonly (readonly (string | undefined)[])[],
  indent = '',
): string[] {
  const cells = rows.map((row) => row.map((cell) => cell ?? none));
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...cells.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `${indent}${cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...cells.map(line)];
}

/** `label  value` lines with the labels aligned; a value that is not stored shows as `none`. */
export function fields(entries: readonly (readonly [string, string | undefined])[], indent = '  '): string[] {
  const width = Math.max(...entries.map(([label]) => label.length));
  return entries.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value ?? none}`.trimEnd());
}

const units: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function durationMs(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value.trim());
  const ms = match ? Number(match[1]) * (units[match[2] ?? ''] ?? 0) : Number.NaN;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** `500ms`, `2s`, `30m`, `1h`, `2d` in milliseconds; `option` names the flag in the error. */
export function parseDuration(value: string, option: string, commandName: string): number {
  const ms = durationMs(value);
  if (ms === undefined) {
    throw new UsageError(
      `${option} must be a duration like 500ms, 2s, 30m, 1h or 2d, not '${value}'`,
      commandName,
    );
  }
  return ms;
}

/** `--since`: a duration back from `now`, or an ISO 8601 time; returned as ISO 8601 UTC. */
export function parseSince(value: string, now: Date, commandName: string): string {
  const time = /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : undefined;
  const ms = time === undefined ? durationMs(value) : undefined;
  if (time !== undefined && !Number.isNaN(time.getTime())) return time.toISOString();
  if (ms !== undefined) return new Date(now.getTime() - ms).toISOString();
  throw new UsageError(
    `--since must be a time back from now (30m, 1h, 2d) or an ISO time, not '${value}'`,
    commandName,
  );
}

/** A positive whole number option. */
export function parseCount(value: string, option: string, commandName: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 10_000) {
    throw new UsageError(`${option} must be a whole number from 1 to 10000, not '${value}'`, commandName);
  }
  return n;
}

/** Shown for an absent value, so a column never looks shifted. */
/** What the CLI shows for a value that is not there. */
export const none = '-';
