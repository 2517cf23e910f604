/**
 * One worker of `workerPoolLoader`: loads one function's handler (its own module scope and clients,
 * as one Lambda execution environment) and runs the events it is sent, one at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type LambdaName, lambdas } from '../functions/routes';
import { loadLambdaHandler } from '../local/lambda-loader';
import { localFunction } from '../local/lambda-runtime';
import type { WorkerAnswer } from './function-workers';

const { lambda } = workerData as { lambda: LambdaName };
// As the API server runs a function in its own process: loaded outside any invocation, each
// invocation with its context, timeout and Powertools scope (local/lambda-runtime.ts).
const invoke = localFunction(lambdas[lambda], () => loadLambdaHandler(lambda));
const port = parentPort;
if (port === null) throw new Error('function-worker.ts runs only as a worker thread');
port.on('message', (event: APIGatewayProxyEvent) => {
  invoke(event).then(
    (result) => port.postMessage({ result } satisfies WorkerAnswer),
    (error: unknown) =>
      port.postMessage({
        error: error instanceof Error ? error.message : String(error),
      } satisfies WorkerAnswer),
  );
});
