import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fakeCredentials, localRegion } from '../../local/emulators';
import type { LocalStackState } from '../../local/stack';
import { type RunningScript, startScript } from '../support/run-script';
import { signedJsonRequest } from '../support/signed-order';

/**
 * `npm start` as a person runs it: its own process, a checkout paid in the simulator, a status lookup
 * for an order that does not exist, a message on the work queue that is not ours (the worker parks
 * it), then a signal. The console must read as one line per request, callback and worker step (or
 * JSON with LOG_FORMAT=json), every line must name the function that wrote it, and the signal must
 * stop everything the process started.
 */
interface Run {
  /** Standard output and error, interleaved. */
  readonly lines: readonly string[];
  readonly exit: { code: number | null; signal: NodeJS.Signals | null };
  /** From the signal to the end of the process. */
  readonly stopMs: number;
  /** What each port it listened on did after the process ended. */
  readonly ports: Readonly<Record<string, 'refused' | 'open'>>;
  /** Processes the stack had started (its descendants before the signal) still alive afterwards. */
  readonly leftProcesses: readonly number[];
  readonly stateFileLeft: boolean;
}

const order = 'console-1';

async function runNpmStart(
  logFormat: 'short' | 'json' | undefined,
  signal: 'SIGTERM' | 'SIGINT',
): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), 'npm-start-'));
  const stateFile = join(dir, 'stack.json');
  let script: RunningScript | undefined;
  try {
    script = startScript('local/start.ts', {
      PATH: process.env.PATH,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      PORT: '0',
      ALTAPAY_SIMULATOR_PORT: '0',
      MERCHANT_PORT: '0',
      PAYMENTS_LOCAL_STACK_FILE: stateFile,
      ALTAPAY_SIMULATOR_NOTIFICATION_DELAY_MS: '300',
      // The sweeper runs all the time, so its invocations overlap everyone else's.
      LOCAL_SWEEP_INTERVAL_MS: '100',
      LOG_FORMAT: logFormat,
    });
    const banner = await script.waitForOutput(/Ctrl-C to stop\./, 45_000);
    const state = JSON.parse(await readFile(stateFile, 'utf8')) as LocalStackState;
    const simulatorUrl = urlAfter(banner, 'AltaPay simulator');
    const merchantUrl = urlAfter(banner, 'Merchant endpoint');

    // A checkout, paid; a lookup of an unknown order; a message that is not ours.
    // Signed as the shop's back end would, with the local key npm start uses when SHOP_ORDER_KEY is unset.
    const created = await fetch(
      `${state.apiUrl}/payments`,
      signedJsonRequest({ shopOrderId: order, amount: '249.00', currency: 'DKK' }),
    );
    const { paymentRequestId } = (await created.json()) as { paymentRequestId: string };
    await fetch(`${simulatorUrl}/eCommerce/API/pay?pid=${encodeURIComponent(paymentRequestId)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'outcome=success',
    });
    expect((await fetch(`${state.apiUrl}/payments/console-unknown`)).status).toBe(404);
    const sqs = new SQSClient({
      region: localRegion,
      endpoint: state.sqsEndpoint,
      credentials: fakeCredentials,
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: state.queueUrl, MessageBody: 'not a work message' }));
    sqs.destroy();
    await script.waitForOutput(/work done[\s\S]*work parked|work parked[\s\S]*work done/, 20_000);

    const ports = {
      api: portOf(state.apiUrl),
      simulator: portOf(simulatorUrl),
      merchant: portOf(merchantUrl),
      dynamodb: portOf(state.dynamodbEndpoint),
      sqs: portOf(state.sqsEndpoint),
    };
    const started = await descendantsOf(script.pid);
    const signalledAt = Date.now();
    process.kill(script.pid, signal);
    const exit = await script.exited;
    const stopMs = Date.now() - signalledAt;
    const probes = await Promise.all(
      Object.entries(ports).map(async ([name, port]) => [name, await probe(port)] as const),
    );
    const alive = await Promise.all(started.map(async (pid) => ((await isAlive(pid)) ? [pid] : [])));
    return {
      lines: script.output().split('\n').filter(Boolean),
      exit,
      stopMs,
      ports: Object.fromEntries(probes),
      leftProcesses: alive.flat(),
      stateFileLeft: await stat(stateFile).then(
        () => true,
        () => false,
      ),
    };
  } finally {
    if (script && (await isAlive(script.pid))) process.kill(script.pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}

describe('npm start, by default', () => {
  let run: Run;
  beforeAll(async () => {
    run = await runNpmStart(undefined, 'SIGTERM');
  }, 90_000);
  const line = (pattern: RegExp) => run.lines.filter((l) => pattern.test(l));

  it('prints no JSON, only short lines', () => {
    expect(run.lines.filter((l) => l.trimStart().startsWith('{'))).toEqual([]);
  });

  it('prints one line per request: method, path, status and time', () => {
    expect(line(/^\d\d:\d\d:\d\d {2}POST \/payments -> 201 \(\d+ ms\)$/)).toHaveLength(1);
    expect(line(/^\d\d:\d\d:\d\d {2}GET \/payments\/console-unknown -> 404 \(\d+ ms\)$/)).toHaveLength(1);
  });

  it('prints one line per callback: its type, the order and the outcome', () => {
    expect(line(/callback recorded/)).toEqual([
      expect.stringMatching(
        /^\d\d:\d\d:\d\d {2}callback-ok +console-1 +callback recorded {2}outcome=changed {2}status=created {2}claimed=reserved$/,
      ),
    ]);
  });

  it('prints one line per worker step, a parked message as parked', () => {
    expect(line(/ work done/)).toEqual([
      expect.stringMatching(
        / payment-worker +console-1#\d+ +work done {2}confirmed=true {2}event=payment\.reserved$/,
      ),
    ]);
    expect(line(/work parked in the dead-letter queue/)).toEqual([
      expect.stringMatching(
        / payment-worker +ERROR work parked in the dead-letter queue .*reason=Not a work message/,
      ),
    ]);
    expect(line(/\bdone\b.*returned/)).toEqual([]);
  });

  it('names the function that wrote each line', () => {
    expect(line(/request rejected/)).toEqual([
      expect.stringMatching(/ payment-status +WARN request rejected {2}status=404/),
    ]);
    expect(line(/payment request created/)).toEqual([
      expect.stringMatching(/ create-payment +console-1 +payment request created$/),
    ]);
  });

  it('stops everything it started on SIGTERM and exits 0 within seconds', () => {
    expect(run.exit).toEqual({ code: 0, signal: null });
    expect(run.stopMs).toBeLessThan(5_000);
    expect(run.ports).toEqual({
      api: 'refused',
      simulator: 'refused',
      merchant: 'refused',
      dynamodb: 'refused',
      sqs: 'refused',
    });
    expect(run.leftProcesses).toEqual([]);
    expect(run.stateFileLeft).toBe(false);
  });
});

describe('npm start with LOG_FORMAT=json', () => {
  let run: Run;
  beforeAll(async () => {
    run = await runNpmStart('json', 'SIGINT');
  }, 90_000);
  const entries = () =>
    run.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const writers = (message: string) =>
    entries()
      .filter((entry) => entry.message === message)
      .map((entry) => entry.function_name);

  it("prints the functions' Powertools JSON lines and metrics, as on Lambda", () => {
    expect(entries().filter((entry) => entry.message === 'callback recorded')).toEqual([
      expect.objectContaining({
        level: 'INFO',
        function_name: 'callback-ok',
        shopOrderId: order,
        outcome: 'changed',
      }),
    ]);
    expect(entries().some((entry) => '_aws' in entry)).toBe(true);
  });

  it('names the function that wrote each line, whatever else runs at the same time', () => {
    expect(writers('payment request created')).toEqual(['create-payment']);
    expect(writers('order verified')).toEqual(['callback-verify-order']);
    expect(writers('request rejected')).toEqual(['payment-status']);
    expect(writers('work done')).toEqual(['payment-worker']);
    expect(writers('work parked in the dead-letter queue')).toEqual(['payment-worker']);
  });

  it('stops everything it started on SIGINT (Ctrl-C) and exits 0 within seconds', () => {
    expect(run.exit).toEqual({ code: 0, signal: null });
    expect(run.stopMs).toBeLessThan(5_000);
    expect(Object.values(run.ports).every((port) => port === 'refused')).toBe(true);
    expect(run.leftProcesses).toEqual([]);
    expect(run.stateFileLeft).toBe(false);
  });
});

/** The URL printed after `label` in the banner. */
function urlAfter(banner: string, label: string): string {
  const url = new RegExp(`${label} +(http://\\S+)`).exec(banner)?.[1];
  if (url === undefined) throw new Error(`the banner names no ${label}:\n${banner}`);
  return url.replace(/\/$/, '');
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** Whether anything still accepts connections on the loopback port. */
function probe(port: number): Promise<'refused' | 'open'> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve('open');
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNREFUSED' ? resolve('refused') : reject(error),
    );
  });
}

/** Every process below `pid`, from /proc (the parent id is the 4th field of /proc/<pid>/stat). */
async function descendantsOf(pid: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const text = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const ppid = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid) parents.set(Number(name), ppid);
  }
  const found: number[] = [];
  const below = (parent: number) => {
    for (const [child, ppid] of parents) {
      if (ppid !== parent) continue;
      found.push(child);
      below(child);
    }
  };
  below(pid);
  return found;
}

async function isAlive(pid: number): Promise<boolean> {
  // A zombie (ended, not yet reaped) holds nothing open: it counts as gone.
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return text !== undefined && text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3) !== 'Z';
}
