import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { localFunction, TaskTimedOut } from '../../local/lambda-runtime';

const spec = { name: 'callback-ok', memoryMb: 512, timeoutSeconds: 0.2 };

describe('a local Lambda function (what the API server, queue source and schedule invoke)', () => {
  it('loads its module once, on the first invocation, like a cold start', async () => {
    let loads = 0;
    const invoke = localFunction(spec, async () => {
      loads++;
      return (event: string) => `handled ${event}`;
    });
    expect(loads).toBe(0);
    expect(await invoke('a')).toBe('handled a');
    expect(await invoke('b')).toBe('handled b');
    expect(loads).toBe(1);
  });

  it('loads again after a failed init instead of remembering the failure', async () => {
    let loads = 0;
    const invoke = localFunction(spec, async () => {
      loads++;
      if (loads === 1) throw new Error('init failed');
      return () => 'warm';
    });
    await expect(invoke(undefined)).rejects.toThrow('init failed');
    expect(await invoke(undefined)).toBe('warm');
    expect(loads).toBe(2);
  });

  it('gives each invocation a Context with its own request id and the time left', async () => {
    const contexts: Context[] = [];
    const invoke = localFunction(spec, async () => (_: unknown, context: Context) => {
      contexts.push(context);
      return context.getRemainingTimeInMillis();
    });
    const left = await invoke(undefined);
    await invoke(undefined);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(200);
    expect(contexts[0]?.functionName).toBe('callback-ok');
    expect(contexts[0]?.awsRequestId).not.toBe(contexts[1]?.awsRequestId);
  });

  it('reports a handler that outlives its timeout as Lambda does', async () => {
    const invoke = localFunction(spec, async () => () => new Promise(() => {}));
    await expect(invoke(undefined)).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('passes a handler error through unchanged, thrown or rejected', async () => {
    const invoke = localFunction(spec, async () => (event: string) => {
      if (event === 'throw') throw new Error('thrown');
      return Promise.reject(new Error('rejected'));
    });
    await expect(invoke('throw')).rejects.toThrow('thrown');
    await expect(invoke('reject')).rejects.toThrow('rejected');
  });
});
