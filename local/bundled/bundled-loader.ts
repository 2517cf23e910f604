/**
 * Runs a Lambda from the bundle `cdk synth` wrote, in a Node process of its own on the runtime's
 * major (see invoke-worker.ts, lambda-node.ts), instead of importing its TypeScript entry through tsx.
 * Chosen with LOCAL_FUNCTIONS=bundled (`npm start -- --bundled`); what ships is then what runs.
 *
 * One process per loaded function, started at its first invocation (the cold start) with the
 * environment Lambda would give it: the template's literal variables, then this process's settings
 * (table, queues, simulator, ...: the local resources win over the template's deployed defaults).
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { Context } from 'aws-lambda';
import type { LambdaName } from '../../functions/routes';
import type { UntypedHandler } from '../lambda-loader';
import { synthesizedFunction } from './cloud-assembly';
import { lambdaNode } from './lambda-node';
import type { InvokeMessage, WireError, WorkerMessage } from './protocol';

const workerPath = new URL('./invoke-worker.ts', import.meta.url);

/** A bundled function failed as Lambda reports it (`errorType` is the handler's error name). */
export class BundledFunctionError extends Error {
  constructor(error: WireError) {
    super(error.errorMessage);
    this.name = error.errorType;
    if (error.stack) this.stack = error.stack;
  }
}

const running = new Set<ChildProcess>();

/** Started ahead of their first invocation (see `warmBundledFunctions`), taken by `loadBundledModule`. */
const warming = new Map<LambdaName, Promise<Worker>>();

/**
 * Starts the processes of `names` now, with the environment as it is now: the local stack calls this
 * once everything is configured, so a spec's first request does not also pay a process start (about
 * half a second here, which tsx's shared in-process modules do not cost) and race timings the specs
 * were written for. Each module still loads once; an init error surfaces at its first invocation.
 */
export function warmBundledFunctions(names: readonly LambdaName[]): void {
  for (const name of names) {
    if (warming.has(name)) continue;
    const worker = startWorker(name);
    worker.catch(() => undefined);
    warming.set(name, worker);
  }
}

/**
 * The environment of the worker: this process's, without what would change how modules load
 * (tsx's NODE_OPTIONS, NODE_PATH), under the template's literal variables (NODE_OPTIONS=--enable-source-maps, ...).
 */
function workerEnvironment(template: Readonly<Record<string, string>>, name: LambdaName): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _options, NODE_PATH: _path, ...local } = process.env;
  return { ...template, ...local, NODE_OPTIONS: template.NODE_OPTIONS ?? '', AWS_LAMBDA_FUNCTION_NAME: name };
}

interface Worker {
  readonly invoke: UntypedHandler;
  /** Set once the process ended: the next invocation gets a new one (a new execution environment). */
  readonly exited: () => boolean;
}

/**
 * Starts `name`'s bundle and resolves once its module scope ran; rejects with its init error. A
 * process that dies later (an uncaught exception) fails its running invocations, and the next
 * invocation starts a new one, as Lambda replaces a crashed execution environment.
 */
export async function loadBundledModule(name: LambdaName): Promise<UntypedHandler> {
  const warm = warming.get(name);
  warming.delete(name);
  let worker = await (warm ?? startWorker(name));
  return async (event, context) => {
    if (worker.exited()) worker = await startWorker(name);
    return worker.invoke(event, context);
  };
}

async function startWorker(name: LambdaName): Promise<Worker> {
  const fn = synthesizedFunction(name);
  const child = fork(workerPath, [fn.assetDir, fn.handler], {
    execPath: lambdaNode(fn.runtime),
    // Not this process's flags (`--import tsx`): the bundle runs on plain Node, as on Lambda.
    execArgv: [],
    env: workerEnvironment(fn.environment, name),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'json',
  });
  running.add(child);
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let exited: Error | undefined;

  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') resolve();
      else if (message.type === 'init-error') reject(new BundledFunctionError(message.error));
      else {
        const call = pending.get(message.id);
        pending.delete(message.id);
        if (message.type === 'result') call?.resolve(message.result);
        else call?.reject(new BundledFunctionError(message.error));
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      running.delete(child);
      exited = new Error(`Runtime exited (${name}, ${signal ?? `exit status ${code}`})`);
      reject(exited);
      for (const call of pending.values()) call.reject(exited);
      pending.clear();
    });
  });
  try {
    await ready;
  } catch (error) {
    child.kill();
    throw error;
  }
  // An idle function does not keep this process alive (a test file ends, npm start's Ctrl-C).
  child.unref();
  child.channel?.unref();

  const invoke = (event: unknown, context: Context) =>
    new Promise((resolve, reject) => {
      if (exited) return reject(exited);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      const {
        getRemainingTimeInMillis,
        done: _d,
        fail: _f,
        succeed: _s,
        identity: _i,
        clientContext: _c,
        ...fields
      } = context;
      const message: InvokeMessage = {
        type: 'invoke',
        id,
        event,
        context: { ...fields, deadline: Date.now() + getRemainingTimeInMillis() },
      };
      child.send(message, (error) => {
        if (error) {
          pending.delete(id);
          reject(error);
        }
      });
    });
  return { invoke, exited: () => exited !== undefined };
}

/** Ends every bundled function this process started and waits until they are gone. */
export async function stopBundledFunctions(): Promise<void> {
  warming.clear();
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
}
