import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { type LambdaName, lambdas } from '../functions/routes';
import type { Handler } from './api-gateway-server';
import { loadBundledModule } from './bundled/bundled-loader';

/** The repository root, where the route table's entry paths start. */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * A Lambda's `handler` before anyone knows its event type: each invoker (HTTP, queue, schedule)
 * passes its own event and checks what comes back.
 */
export type UntypedHandler = (event: unknown, context: Context) => unknown;

/** Where the local functions come from: their TypeScript entries through tsx, or the synthesized bundles. */
export type LocalFunctions = 'sources' | 'bundled';

/** LOCAL_FUNCTIONS: `bundled` runs what `cdk synth` wrote (see bundled/bundled-loader.ts); default `sources`. */
export function localFunctions(env: NodeJS.ProcessEnv = process.env): LocalFunctions {
  const value = env.LOCAL_FUNCTIONS || 'sources';
  if (value !== 'sources' && value !== 'bundled') {
    throw new Error(`LOCAL_FUNCTIONS must be 'sources' or 'bundled', not '${value}'`);
  }
  return value;
}

/**
 * Loads a Lambda exactly as the Lambda runtime would (module scope runs once, like a cold start) and
 * returns its `handler`, whatever event it takes: its entry imported here, or with
 * LOCAL_FUNCTIONS=bundled its synthesized bundle in a process on the runtime's Node. Throws when
 * there is no such function.
 */
export async function loadLambdaModule(name: LambdaName): Promise<UntypedHandler> {
  if (localFunctions() === 'bundled') return loadBundledModule(name);
  const { entry } = lambdas[name];
  const loaded: unknown = await import(pathToFileURL(resolve(repoRoot, entry)).href);
  const handler = typeof loaded === 'object' && loaded !== null ? Reflect.get(loaded, 'handler') : undefined;
  if (typeof handler !== 'function') throw new Error(`${entry} does not export a function named handler`);
  return (event, context) => Reflect.apply(handler, undefined, [event, context]);
}

/**
 * Loads an HTTP Lambda's handler (see `loadLambdaModule`). Used by `npm start` and by the integration
 * tests; the API adapter checks the proxy result it returns.
 */
export async function loadLambdaHandler(name: LambdaName): Promise<Handler> {
  const handler = await loadLambdaModule(name);
  // The route table says this Lambda serves HTTP; the adapter validates the result like API Gateway.
  return (event, context) => Promise.resolve(handler(event, context)) as ReturnType<Handler>;
}
