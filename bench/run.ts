/**
 * `npm run bench`: how close each callback comes to the cost of its own I/O, cold starts, and load on
 * the local stack. Prints a table and PASS/FAIL budget lines; writes bench/results.json. Not a test:
 * figures depend on the machine, so they are reported, never asserted in `npm test`.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import {
  createPaymentsTable,
  createWorkQueues,
  fakeCredentials,
  handlerEnvironment,
  startEmulators,
} from '../local/emulators';
import { benchCallbackPath, benchSecret } from './callback-path';
import { round } from './stats';

const callbacksPerType = Number(process.env.BENCH_CALLBACKS ?? 300);

async function main(): Promise<void> {
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  console.log(`Machine: ${machine}\n`);
  Object.assign(process.env, {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: fakeCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: fakeCredentials.secretAccessKey,
    ALTAPAY_CALLBACK_SECRET: benchSecret,
  });
  const emulators = await startEmulators();
  try {
    await createPaymentsTable(emulators.dynamodbEndpoint, 'payments');
    const queues = await createWorkQueues(emulators.sqsEndpoint, 'payment-work');
    Object.assign(process.env, handlerEnvironment({ ...emulators, tableName: 'payments', ...queues }));
    const { sdkOptions } = await import('../functions/runtime/dependencies');
    const path = await benchCallbackPath(callbacksPerType, sdkOptions);
    console.table(
      path.map((f) => ({
        callback: f.callbackType,
        'handler p50 ms': round(f.handlerMedianMs),
        'handler p99 ms': round(f.handlerP99Ms),
        'floor p50 ms': round(f.floorMedianMs),
        'handler ÷ floor': round(f.ratio),
        'CPU-only p50 µs': round(f.cpuOnlyMedianUs),
        'CPU-only p99 µs': round(f.cpuOnlyP99Us),
      })),
    );
    writeFileSync('bench/results.json', `${JSON.stringify({ machine, callbackPath: path }, null, 2)}\n`);
  } finally {
    await emulators.stop();
  }
}

await main();
