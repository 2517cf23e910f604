/**
 * `npm run bench`: how close each callback comes to the cost of its own I/O, cold starts, and load on
 * the local stack. Prints tables and PASS/FAIL budget lines and exits 1 when a budget fails; with
 * `-- --write` also writes the figures (bench/report.ts). Not a test: figures depend on the machine,
 * so they are reported and checked against budgets here, never in `npm test`.
 */
import { cpus, totalmem } from 'node:os';
import { sdkOptions } from '../functions/runtime/sdk-options';
import {
  createPaymentsTable,
  createWorkQueues,
  fakeCredentials,
  handlerEnvironment,
} from '../local/emulators';
import { startEmulatorsInChildProcess } from '../local/emulators-process';
import { benchCallbackPath, benchSecret, type CallbackPathFigures } from './callback-path';
import { benchColdStarts } from './cold-start';
import { benchLoad, type LoadFloorFigures } from './load';
import {
  type BenchOptions,
  BenchUsageError,
  benchExitCode,
  benchOptions,
  benchUsage,
  verdictLine,
} from './outcome';
import { writeRun } from './report';
import { round } from './stats';

const callbacksPerType = Number(process.env.BENCH_CALLBACKS ?? 400);
const coldStartRuns = Number(process.env.BENCH_COLD_RUNS ?? 15);
const loadSeconds = Number(process.env.BENCH_LOAD_SECONDS ?? 20);
const loadConnections = 50;

const budgets = {
  ratio: 1.25,
  cpuP99Us: 1000,
  bundleBytes: 600_000,
  importRatio: 1.5,
  loadP99Ms: 250,
};

async function callbackPath(): Promise<CallbackPathFigures[]> {
  Object.assign(process.env, {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: fakeCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: fakeCredentials.secretAccessKey,
    ALTAPAY_CALLBACK_SECRET: benchSecret,
  });
  // As on AWS, DynamoDB and SQS run outside the function's process: the handler waits for them
  // instead of also running their work on its own event loop.
  const emulators = await startEmulatorsInChildProcess();
  try {
    await createPaymentsTable(emulators.dynamodbEndpoint, 'payments');
    const queues = await createWorkQueues(emulators.sqsEndpoint, 'payment-work');
    Object.assign(process.env, handlerEnvironment({ ...emulators, tableName: 'payments', ...queues }));
    return await benchCallbackPath(callbacksPerType, sdkOptions);
  } finally {
    await emulators.stop();
  }
}

async function main(options: BenchOptions): Promise<0 | 1> {
  const began = performance.now();
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  console.log(`Machine: ${machine}\n`);

  console.log(`1. Callback path against its floor (${callbacksPerType} callbacks per type)`);
  const path = await callbackPath();
  console.table(
    path.map((f) => ({
      callback: f.callbackType,
      'handler p50 ms': round(f.handlerMedianMs),
      'handler p99 ms': round(f.handlerP99Ms),
      'floor p50 ms': round(f.floorMedianMs),
      'handler ÷ floor': round(f.ratio),
      'floor+read ÷ floor': round(f.readFloorRatio),
      'CPU-only p50 µs': round(f.cpuOnlyMedianUs),
      'CPU-only p99 µs': round(f.cpuOnlyP99Us),
    })),
  );

  console.log(`\n2. Cold start (${coldStartRuns} fresh processes per bundle, round-robin)`);
  const cold = await benchColdStarts(coldStartRuns);
  console.table(
    [cold.floor, ...cold.functions].map((f) => ({
      function: f.name,
      'bundle KB': round(f.bundleBytes / 1000),
      'import p50 ms': round(f.importMedianMs),
      '÷ floor': round(f.ratio),
    })),
  );

  console.log(
    `\n3. Load on the local stack (${loadConnections} connections, ${loadSeconds} s, 10 % duplicates)`,
  );
  const load = await benchLoad(loadConnections, loadSeconds);
  const loadRow = (name: string, f: LoadFloorFigures) => ({
    server: name,
    'requests/s': round(f.requestsPerSecond),
    'p50 ms': f.p50Ms,
    'p99 ms': f.p99Ms,
    'max ms': f.maxMs,
    errors: f.errors,
  });
  console.table([
    loadRow('floor: write + send', load.floor),
    loadRow('floor: read + write + send', load.readFloor),
    {
      ...loadRow('callbacks on the local stack', load),
      acknowledged: load.acknowledgedOrders,
      stored: load.stored,
      queued: load.queued,
      lost: load.lost,
    },
  ]);

  const worstRatio = Math.max(...path.map((f) => f.ratio));
  const worstCpu = Math.max(...path.map((f) => f.cpuOnlyP99Us));
  const biggest = cold.functions.reduce((a, b) => (b.bundleBytes > a.bundleBytes ? b : a));
  const slowest = cold.functions.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const verdict = (pass: boolean, text: string) => ({ pass, text });
  const verdicts = [
    verdict(
      worstRatio <= budgets.ratio,
      `callback path: handler ÷ floor ${round(worstRatio)} at the median (budget ${budgets.ratio}; a read alone makes it ${round(Math.min(...path.map((f) => f.readFloorRatio)))})`,
    ),
    verdict(
      worstCpu <= budgets.cpuP99Us,
      `callback path: CPU-only ${round(worstCpu)} µs at p99 (budget ${budgets.cpuP99Us} µs)`,
    ),
    verdict(
      biggest.bundleBytes <= budgets.bundleBytes,
      `cold start: largest bundle ${biggest.name} ${round(biggest.bundleBytes / 1000)} KB (budget ${budgets.bundleBytes / 1000} KB)`,
    ),
    verdict(
      slowest.ratio <= budgets.importRatio,
      `cold start: slowest import ${slowest.name} ${round(slowest.ratio)} × the floor (budget ${budgets.importRatio})`,
    ),
    verdict(load.errors === 0, `load: ${load.errors} errors (budget 0)`),
    verdict(load.lost === 0, `load: ${load.lost} lost of ${load.acknowledgedOrders} acknowledged (budget 0)`),
    verdict(
      load.p99Ms < budgets.loadP99Ms,
      `load: p99 ${load.p99Ms} ms at ${loadConnections} connections (budget < ${budgets.loadP99Ms} ms; the floor's ${load.floor.p99Ms} ms, with a read ${load.readFloor.p99Ms} ms)`,
    ),
  ];
  console.log(`\nBudgets\n${verdicts.map(verdictLine).join('\n')}`);
  if (options.write) {
    const ranAt = new Date().toISOString();
    const written = writeRun({ machine, ranAt, budgets, path, cold, load, verdicts });
    console.log(`\nWritten to ${written.join(', ')}`);
  } else {
    console.log('\nNothing written (npm run bench -- --write saves these figures)');
  }
  console.log(`Ran in ${Math.round((performance.now() - began) / 1000)} s`);
  return benchExitCode(verdicts);
}

/** The command line's options, or undefined after saying what is wrong with it. */
function optionsOrUsage(): BenchOptions | undefined {
  try {
    return benchOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    console.error(`bench: ${error.message}\n\n${benchUsage}`);
    return undefined;
  }
}

const options = optionsOrUsage();
process.exitCode = options === undefined ? 1 : await main(options);
