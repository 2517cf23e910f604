/**
 * One bundled Lambda function in a process of its own, on the Node the function deploys with, run
 * as Lambda's Node.js runtime would run it: `node invoke-worker.ts <asset dir> <handler>`, started
 * by bundled-loader.ts with the function's environment.
 *
 * The asset folder `cdk synth` wrote is copied to a fresh task root outside the repository first:
 * under `cdk.out/` a bare import the bundle forgot would still resolve from the repository's
 * `node_modules`, and on Lambda (`/var/task`) it does not. The module is imported once (the cold
 * start); then every `invoke` message runs its handler in an invocation scope of its own
 * (invocation-scope.ts, so overlapping invocations keep their Powertools state apart) and is
 * answered with its result or error. The task root is removed when the process ends, which it does
 * when the local stack disconnects or dies.
 *
 * No loader of this repository runs here (no tsx): Node strips this file's types itself, and the
 * bundle is plain JavaScript.
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inInvocation, outsideInvocations } from '../invocation-scope.ts';
import type { InvokeMessage, WireError, WorkerMessage } from './protocol';

type Handler = (event: unknown, context: unknown) => unknown;

const [assetDir, handlerSetting] = process.argv.slice(2);
if (!assetDir || !handlerSetting?.includes('.')) {
  throw new Error('usage: invoke-worker.ts <asset dir> <file.export, e.g. index.handler>');
}

const taskRoot = mkdtempSync(join(tmpdir(), 'altapay-bundle-'));
process.on('exit', () => rmSync(taskRoot, { recursive: true, force: true }));
// The parent went away (stopped or died): so does the function.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGHUP', () => process.exit(0));
// Ctrl-C reaches the whole process group: the local stack decides when its functions stop (SIGTERM).
process.on('SIGINT', () => undefined);

function send(message: WorkerMessage): void {
  process.send?.(message);
}

function wireError(error: unknown): WireError {
  if (error instanceof Error) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      ...(error.stack ? { stack: error.stack } : {}),
    };
  }
  return { errorType: 'Error', errorMessage: String(error) };
}

/** Lambda's lookup: `index.handler` is the export `handler` of index.mjs, index.js or index.cjs. */
async function loadHandler(): Promise<Handler> {
  cpSync(assetDir as string, taskRoot, { recursive: true });
  process.chdir(taskRoot);
  process.env.LAMBDA_TASK_ROOT = taskRoot;
  const dot = (handlerSetting as string).lastIndexOf('.');
  const file = (handlerSetting as string).slice(0, dot);
  const exportName = (handlerSetting as string).slice(dot + 1);
  const path = ['.mjs', '.js', '.cjs'].map((ext) => join(taskRoot, `${file}${ext}`)).find(existsSync);
  if (path === undefined) throw new Error(`${assetDir} has no ${file}.mjs, ${file}.js or ${file}.cjs`);
  const loaded: unknown = await import(pathToFileURL(path).href);
  const handler = typeof loaded === 'object' && loaded !== null ? Reflect.get(loaded, exportName) : undefined;
  if (typeof handler !== 'function')
    throw new Error(`${path} does not export a function named ${exportName}`);
  return handler as Handler;
}

async function invoke(handler: Handler, message: InvokeMessage): Promise<void> {
  const { deadline, ...fields } = message.context;
  const unsupported = (): never => {
    throw new Error('Callback-style completion is not supported: return a promise');
  };
  const context = {
    ...fields,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
  try {
    const result = await inInvocation(fields.awsRequestId, () =>
      Promise.resolve().then(() => handler(message.event, context)),
    );
    // Lambda answers `null` for a handler that returns nothing.
    send({ type: 'result', id: message.id, result: result ?? null });
  } catch (error) {
    send({ type: 'error', id: message.id, error: wireError(error) });
  }
}

try {
  const handler = await outsideInvocations(loadHandler);
  process.on('message', (message: InvokeMessage) => {
    if (message.type === 'invoke') void invoke(handler, message);
  });
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'init-error', error: wireError(error) });
  process.disconnect?.();
}
