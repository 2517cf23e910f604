/**
 * What an EventBridge schedule rule does, for the local stack: invokes a Lambda with a
 * `ScheduledEvent` at a fixed rate. Locally the rate is much faster than on AWS (seconds, not
 * minutes) so that what the scheduled function repairs is repaired while you watch.
 */
import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import type { LambdaSpec } from '../functions/routes';
import type { UntypedHandler } from './lambda-loader';
import { localAccountId, localFunction } from './lambda-runtime';

export interface ScheduleOptions {
  /** The function the rule invokes (name, timeout and memory go into its Context). */
  readonly lambda: Pick<LambdaSpec, 'name' | 'timeoutSeconds' | 'memoryMb'>;
  /** Loads the handler; called on the first run (a cold start), and again after a failed load. */
  readonly loadHandler: () => Promise<UntypedHandler>;
  readonly everyMs: number;
  readonly region: string;
  /** One line per run that did something or failed; silent when absent. */
  readonly log?: (line: string) => void;
}

/** A running schedule. */
export interface Schedule {
  /** The function it invokes. */
  readonly lambda: string;
  readonly everyMs: number;
  /** Runs that finished (successfully or not), timer ticks and `runNow` alike. */
  readonly runs: number;
  /** Ticks skipped because the previous run was still going. */
  readonly skipped: number;
  /**
   * Invokes the function now (after a run in progress, so the run starts after this call) and
   * resolves with what the handler returned; rejects with its error.
   */
  runNow(): Promise<unknown>;
  /** Stops the timer and waits for a run in progress. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts the timer; the first run is one interval from now. */
export function startSchedule(options: ScheduleOptions): Schedule {
  const log = options.log ?? (() => {});
  const ruleArn = `arn:aws:events:${options.region}:${localAccountId}:rule/${options.lambda.name}-schedule`;
  const invoke = localFunction(options.lambda, options.loadHandler);
  let current: Promise<unknown> | undefined;
  let runs = 0;
  let skipped = 0;
  let stopped = false;

  const run = (): Promise<unknown> => {
    const work = invoke(scheduledEvent(ruleArn, options.region));
    const settled = work.finally(() => {
      runs++;
      if (current === settled) current = undefined;
    });
    current = settled;
    return work;
  };

  const timer = setInterval(() => {
    if (stopped) return;
    // Like a rule whose previous invocation is still running: this tick does nothing.
    if (current !== undefined) {
      skipped++;
      return;
    }
    run().then(
      (result) => {
        if (hasNews(result)) log(`[${options.lambda.name}] ${describeResult(result)}`);
      },
      (error: unknown) => log(`[${options.lambda.name}] scheduled run failed: ${oneLine(error)}`),
    );
  }, options.everyMs);
  // The schedule never keeps a process alive on its own.
  timer.unref();

  let stopping: Promise<void> | undefined;
  return {
    lambda: options.lambda.name,
    everyMs: options.everyMs,
    get runs() {
      return runs;
    },
    get skipped() {
      return skipped;
    },
    async runNow() {
      if (stopped) throw new Error(`The ${options.lambda.name} schedule is stopped`);
      while (current !== undefined) await current.catch(() => undefined);
      return run();
    },
    stop() {
      stopping ??= (async () => {
        stopped = true;
        clearInterval(timer);
        await current?.catch(() => undefined);
      })();
      return stopping;
    },
  };
}

/** What EventBridge sends a rule's target: `time` to the second, as AWS writes it. */
function scheduledEvent(ruleArn: string, region: string): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: localAccountId,
    time: `${new Date().toISOString().slice(0, 19)}Z`,
    region,
    resources: [ruleArn],
    detail: {},
  };
}

/** Quiet unless the run reports that it found something (e.g. the sweeper's `{ found: 2, ... }`). */
function hasNews(result: unknown): result is object {
  if (typeof result !== 'object' || result === null) return false;
  return Object.values(result).some((value) => typeof value === 'number' && value > 0);
}

/** A run's result as the console shows it, e.g. `found=2 queued=2 failed=0`. */
function describeResult(result: object): string {
  return Object.entries(result)
    .map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(' ');
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/\s*\n\s*/g, ' ');
}
