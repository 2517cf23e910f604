import { LogFormatter, Logger, LogItem, LogLevelThreshold } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';

/**
 * The short console of `npm start` (LOG_FORMAT=short): each log entry as one line a person reads,
 * `20:14:03  callback-ok           ORDER-1       callback recorded  outcome=changed  status=created  claimed=reserved`,
 * i.e. the time, the function, the order (or the work item) it is about, and what happened.
 */

/** The time column of every console line (UTC, to the second), the local stack's own lines included. */
export function consoleTime(at: Date = new Date()): string {
  return at.toISOString().slice(11, 19);
}

/**
 * Left out: what the columns or the local API's request line already say, and bookkeeping a person
 * reads in `npm run payments -- show <order>` (or in LOG_FORMAT=json) when they need it.
 */
const leftOut = new Set([
  'requestId',
  'route',
  'callbackType',
  'shopOrderId',
  'workId',
  'transactionIds',
  'duplicate',
  'version',
  'paymentRequestId',
]);

/** Builds the line; the JSON formatter's attributes (correlation ids, ARNs, cold start) are left out. */
export class ShortLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const source = attributes.lambdaContext?.functionName ?? attributes.serviceName;
    const subject = text(additional.shopOrderId ?? additional.workId ?? '');
    const level =
      attributes.logLevel === 'INFO' || attributes.logLevel === 'DEBUG' ? '' : `${attributes.logLevel} `;
    const details = Object.entries(additional)
      .filter(([key, value]) => !leftOut.has(key) && value !== undefined)
      .map(([key, value]) => `${key}=${text(value)}`);
    const line = [
      `${consoleTime(attributes.timestamp)}  ${source.padEnd(21)} ${subject.padEnd(13)} ${level}${attributes.message}`,
      ...details,
    ].join('  ');
    return new LogItem({ attributes: { line } });
  }
}

/**
 * A Logger that prints the formatter's line as it is. Powertools' own `printLog` always writes
 * JSON.stringify of the formatted attributes, so a formatter alone cannot leave JSON out.
 */
export class ShortLineLogger extends Logger {
  constructor(options: { serviceName: string }) {
    super({ ...options, logFormatter: new ShortLogFormatter() });
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    const { line } = log.getAttributes();
    // Warnings and errors go where Powertools sends them: standard error.
    const stream = logLevel >= LogLevelThreshold.WARN ? process.stderr : process.stdout;
    stream.write(`${String(line)}\n`);
  }
}

function text(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (Array.isArray(value)) return value.map(text).join(',');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}
