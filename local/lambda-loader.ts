import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type LambdaName, lambdas } from '../functions/routes';
import type { Handler } from './api-gateway-server';

/** The repository root, where the route table's entry paths start. */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Imports a Lambda's entry exactly as the Lambda runtime would (module scope runs once, like a cold
 * start) and returns its `handler`. Used by `npm start` and by the integration tests.
 */
export async function loadLambdaHandler(name: LambdaName): Promise<Handler> {
  const { entry } = lambdas[name];
  const loaded: unknown = await import(pathToFileURL(resolve(repoRoot, entry)).href);
  const handler = typeof loaded === 'object' && loaded !== null ? Reflect.get(loaded, 'handler') : undefined;
  if (typeof handler !== 'function') throw new Error(`${entry} does not export a function named handler`);
  return handler as Handler;
}
