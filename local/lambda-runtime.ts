/**
 * What the Lambda runtime gives every invocation, for the local stack: the `Context` object and the
 * function timeout. Shared by the HTTP adapter and the queue and schedule event sources, so every
 * local invocation looks the same to a handler.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { LambdaSpec } from '../functions/routes';
import { inInvocation, outsideInvocations } from './invocation-scope';

/** The account id every local ARN carries (the emulators accept any). */
export const localAccountId = '123456789012';

/** Raised like Lambda's `Task timed out after N seconds` when a handler outlives its timeout. */
export class TaskTimedOut extends Error {
  override name = 'TaskTimedOut';
}

/** A Lambda `Context` for one invocation of `spec` that must finish by `deadline` (epoch ms). */
export function lambdaContext(spec: Pick<LambdaSpec, 'name' | 'memoryMb'>, deadline: number): Context {
  const region = process.env.AWS_REGION ?? 'eu-west-1';
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const unsupported = (): never => {
    throw new Error('Callback-style completion is not supported: return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: spec.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${localAccountId}:function:${spec.name}`,
    memoryLimitInMB: String(spec.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${spec.name}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/**
 * Settles with `work`, or rejects with TaskTimedOut after `seconds`. The handler cannot be killed
 * locally, so it runs on in the background; what Lambda would report is the timeout.
 */
export async function withLambdaTimeout<T>(work: Promise<T>, seconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TaskTimedOut(`Task timed out after ${seconds.toFixed(2)} seconds`)),
      seconds * 1000,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One local Lambda function as its invokers see it: loaded on the first invocation (the cold start,
 * module scope runs once, outside any invocation), loaded again after a failed init as Lambda does,
 * and every invocation given a `Context`, a scope of its own for Powertools' state (see
 * invocation-scope.ts) and the function's timeout.
 */
export function localFunction<E, R>(
  spec: Pick<LambdaSpec, 'name' | 'memoryMb' | 'timeoutSeconds'>,
  load: () => Promise<(event: E, context: Context) => R | PromiseLike<R>>,
): (event: E) => Promise<R> {
  let handler: Promise<(event: E, context: Context) => R | PromiseLike<R>> | undefined;
  return async (event) => {
    handler ??= outsideInvocations(load);
    const loaded = await handler.catch((error: unknown) => {
      handler = undefined;
      throw error;
    });
    const context = lambdaContext(spec, Date.now() + spec.timeoutSeconds * 1000);
    return withLambdaTimeout(
      inInvocation(context.awsRequestId, () => Promise.resolve().then(() => loaded(event, context))),
      spec.timeoutSeconds,
    );
  };
}
