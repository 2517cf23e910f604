/**
 * The local stack for the load benchmark, in its own process (so the load tool does not share its
 * event loop), with the emulators in a third. The worker is paused, so every queued message stays
 * countable. Prints one JSON line with the endpoints, then runs until killed.
 */
import { startEmulatorsInChildProcess } from '../local/emulators-process';
import { startLocalStack } from '../local/stack';
import { functionWorkers, workerPoolLoader } from './function-workers';

Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
const stack = await startLocalStack({
  apiPort: 0,
  simulatorPort: 0,
  notificationDelayMs: 60_000,
  scheduleIntervalMs: 3_600_000,
  // As on AWS, DynamoDB and SQS do not share the handlers' CPU.
  startEmulators: startEmulatorsInChildProcess,
  // As on Lambda, concurrent callbacks run in separate environments, not on the API's event loop.
  ...(functionWorkers > 0 ? { loadHttpHandler: workerPoolLoader(functionWorkers) } : {}),
});
for (const consumer of stack.queueConsumers) await consumer.pause();
console.log(
  JSON.stringify({
    apiUrl: stack.apiUrl,
    dynamodbEndpoint: stack.dynamodbEndpoint,
    sqsEndpoint: stack.sqsEndpoint,
    tableName: stack.tableName,
    queueUrl: stack.queueUrl,
  }),
);
process.on('SIGTERM', () => {
  stack.stop().then(() => process.exit(0));
});
