import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { type LambdaName, lambdas } from '../functions/routes';
import type { Handler } from './api-gateway-server';

/** The repository root, where the route table's entry paths start. */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * A Lambda's `handler` before anyone knows its event type: each invoker (HTTP, queue, schedule)
 * passes its own event and checks what comes back.
 */
export type UntypedHandler = (event: unknown, context: Context) => unknown;

/**
 * Imports a Lambda's entry exactly as the Lambda runtime would (module scope runs once, like a cold
 * start) and returns its `handler`, whatever event it takes. Throws when there is no such function.
 */
export async function loadLambdaModule(name: LambdaName): Promise<UntypedHandler> {
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
