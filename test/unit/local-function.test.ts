import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

  it('keeps the log context of each invocation apart when functions sharing one Logger overlap', async () => {
    // Prepare: one Logger for every function, as functions/runtime/dependencies.ts gives them in one
    // process; the worker's invocation waits while a sweeper run starts and finishes.
    const log = new Logger({ serviceName: 'altapay-payments', logLevel: 'INFO' });
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    let workerStarted = () => {};
    const started = new Promise<void>((resolve) => {
      workerStarted = resolve;
    });
    let releaseWorker = () => {};
    const released = new Promise<void>((resolve) => {
      releaseWorker = resolve;
    });
    const handler = (wait: () => Promise<void>) => async (_: unknown, context: Context) => {
      log.addContext(context);
      log.appendKeys({ step: context.functionName });
      await wait();
      log.info('step finished');
      log.resetKeys();
    };
    const worker = localFunction({ ...spec, name: 'payment-worker', timeoutSeconds: 2 }, async () =>
      handler(() => {
        workerStarted();
        return released;
      }),
    );
    const sweeper = localFunction({ ...spec, name: 'work-sweeper', timeoutSeconds: 2 }, async () =>
      handler(async () => {}),
    );

    // Act
    const working = worker(undefined);
    await started;
    await sweeper(undefined);
    releaseWorker();
    await working;

    // Assess: each line names its own function and keeps its own keys.
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.map(({ function_name, step }) => ({ function_name, step }))).toEqual([
      { function_name: 'work-sweeper', step: 'work-sweeper' },
      { function_name: 'payment-worker', step: 'payment-worker' },
    ]);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});
