import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, logFormat } from '../../functions/runtime/logger';

const context = {
  functionName: 'callback-ok',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:callback-ok',
  memoryLimitInMB: '512',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
} as Context;

/** What the logger writes to `stream`, with logging on (the test runner turns it off). */
function capture(stream: NodeJS.WriteStream): string[] {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
  const written: string[] = [];
  vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  return written;
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('LOG_FORMAT', () => {
  it('is JSON when unset or json, short when short', () => {
    expect(logFormat({})).toBe('json');
    expect(logFormat({ LOG_FORMAT: '' })).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'json' })).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'short' })).toBe('short');
  });

  it('refuses any other value, naming the ones it takes', () => {
    expect(() => logFormat({ LOG_FORMAT: 'pretty' })).toThrow(
      "Invalid settings: LOG_FORMAT must be json or short, not 'pretty'",
    );
  });
});

describe('the short log format', () => {
  it('writes one line: time, function, order, message and what it decided', () => {
    const out = capture(process.stdout);
    const log = createLogger({ LOG_FORMAT: 'short' });
    log.addContext(context);
    log.appendKeys({ requestId: 'req-1', route: 'POST /callbacks/ok', callbackType: 'ok' });
    log.info('callback recorded', {
      shopOrderId: 'ORDER-1',
      transactionIds: ['80000000'],
      outcome: 'changed',
      duplicate: false,
      status: 'reserved',
      version: 2,
    });
    expect(out).toEqual([
      expect.stringMatching(
        /^\d\d:\d\d:\d\d {2}callback-ok {11}ORDER-1 {7}callback recorded {2}outcome=changed {2}status=reserved\n$/,
      ),
    ]);
  });

  it('writes warnings and errors to standard error, marked with their level', () => {
    const err = capture(process.stderr);
    const log = createLogger({ LOG_FORMAT: 'short' });
    log.error('work parked in the dead-letter queue', {
      workId: 'ORDER-1#2',
      attempts: 5,
      reason: 'Failed 5 times',
    });
    expect(err).toEqual([
      expect.stringMatching(
        / altapay-payments {6}ORDER-1#2 {5}ERROR work parked in the dead-letter queue {2}attempts=5 {2}reason=Failed 5 times\n$/,
      ),
    ]);
  });
});
