/**
 * The load benchmark's way of running the local stack's HTTP functions as Lambda runs them: each
 * function in a pool of worker threads, one invocation per worker at a time (a Lambda execution
 * environment takes one request at a time), further requests waiting for a free worker. The API
 * server's own event loop then only routes and answers, as API Gateway does.
 */
import { Worker } from 'node:worker_threads';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { LambdaName } from '../functions/routes';
import type { Handler } from '../local/api-gateway-server';

/**
 * Worker threads per HTTP function in the load benchmark (`BENCH_FUNCTION_WORKERS`); 0, the default,
 * runs the functions on the API server's event loop. On this 2-core machine the workers measured
 * slower (see docs/performance.md): the cores are already shared by the load tool, the API server and
 * the emulators, and each event and answer is copied between threads.
 */
export const functionWorkers = Number(process.env.BENCH_FUNCTION_WORKERS ?? 0);

/** Where the load benchmark's functions run, for its table. */
export const functionsRunIn = (): string =>
  functionWorkers > 0
    ? `each function in ${functionWorkers} worker threads`
    : "functions on the API server's event loop";

/** What a worker answers for one event: the handler's result, or what it threw. */
export type WorkerAnswer = { readonly result: APIGatewayProxyResult } | { readonly error: string };

/** A `loadHttpHandler` for startLocalStack: `size` workers per function, started on its first request. */
export function workerPoolLoader(size: number): (lambda: LambdaName) => Promise<Handler> {
  return async (lambda) => {
    const idle = Array.from(
      { length: size },
      () => new Worker(new URL('./function-worker.ts', import.meta.url), { workerData: { lambda } }),
    );
    for (const worker of idle) worker.unref();
    const waiting: ((worker: Worker) => void)[] = [];
    const acquire = (): Promise<Worker> => {
      const worker = idle.pop();
      return worker === undefined ? new Promise((resolve) => waiting.push(resolve)) : Promise.resolve(worker);
    };
    const release = (worker: Worker) => {
      const next = waiting.shift();
      if (next === undefined) idle.push(worker);
      else next(worker);
    };
    const invoke = (worker: Worker, event: APIGatewayProxyEvent) =>
      new Promise<APIGatewayProxyResult>((resolve, reject) => {
        const done = () => {
          worker.off('message', onMessage);
          worker.off('error', onError);
        };
        const onMessage = (answer: WorkerAnswer) => {
          done();
          if ('result' in answer) resolve(answer.result);
          else reject(new Error(answer.error));
        };
        const onError = (error: Error) => {
          done();
          reject(error);
        };
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.postMessage(event);
      });
    return async (event) => {
      const worker = await acquire();
      try {
        return await invoke(worker, event);
      } finally {
        release(worker);
      }
    };
  };
}
