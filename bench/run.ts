/**
 * `npm run bench`: how close each callback comes to the cost of its own I/O, cold starts, and load on
 * the local stack. Prints tables and PASS/FAIL budget lines and exits 1 when a budget fails; with
 * `-- --write` also writes the figures (bench/report.ts). Not a test: figures depend on the machine,
 * so they are reported and checked against budgets here, never in `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { lambdas } from '../functions/routes';
import { sdkOptions } from '../functions/runtime/sdk-options';
import {
  createPaymentsTable,
  createWorkQueues,
  fakeCredentials,
  handlerEnvironment,
} from '../local/emulators';
import { startEmulatorsInChildProcess } from '../local/emulators-process';
import { describeNode, findNode } from './bench-node';
import { benchCallbackPath, benchSecret, type CallbackPathFigures } from './callback-path';
import { benchColdStarts } from './cold-start';
import { PRICES } from './cost-model';
import { cpuStagesInFreshProcess } from './cpu-stages';
import { functionsRunIn } from './function-workers';
import { benchLoad, type LoadFloorFigures } from './load';
import { gatewayDeadlineMs, sizeMemory, wellInsideMs } from './memory-sizing';
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

/** Issue 19's budgets, each against a floor measured in the same run. */
const budgets = {
  /** handler ÷ floor (read + conditional update + send, same inputs), at the median and at p99. */
  ratio: 1.25,
  p99Ratio: 1.5,
  /** The handler process's CPU per callback ÷ the floor's. */
  cpuRatio: 1.5,
  /** Our own code's CPU per callback, I/O answered in memory. */
  cpuOnlyP50Us: 400,
  cpuOnlyP99Us: 1500,
  bundleBytes: 600_000,
  importRatio: 1.3,
  /** Local load p99 ÷ the floor server's p99. */
  loadP99Ratio: 2,
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
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${describeNode()}`;
  console.log(`Machine: ${machine}\n`);

  console.log(`1. Callback path against its floor (${callbacksPerType} callbacks per type)`);
  const path = await callbackPath();
  console.table(
    path.map((f) => ({
      callback: f.callbackType,
      'handler p50/p99 ms': `${round(f.handlerMedianMs)} / ${round(f.handlerP99Ms)}`,
      'floor p50/p99 ms': `${round(f.floorMedianMs)} / ${round(f.floorP99Ms)}`,
      '÷ floor p50/p99': `${round(f.ratio)} / ${round(f.p99Ratio)}`,
      'CPU µs / floor µs': `${Math.round(f.handlerCpuMeanUs)} / ${Math.round(f.floorCpuMeanUs)}`,
      'CPU ÷ floor': round(f.cpuRatio),
      'CPU-only p50/p99 µs': `${Math.round(f.cpuOnlyMedianUs)} / ${Math.round(f.cpuOnlyP99Us)}`,
      'item bytes': f.itemBytes,
    })),
  );

  console.log(
    `\nWhere an ok callback's own CPU goes (CPU-only, each stage alone, ${callbacksPerType} callbacks)`,
  );
  const stages = cpuStagesInFreshProcess('ok', callbacksPerType);
  console.table(
    stages.map((s) => ({
      stage: s.stage,
      'µs (median)': round(s.medianUs),
      'KB allocated': round(s.allocatedKb),
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
    loadRow('floor: read + write + send', load.floor),
    {
      ...loadRow(`callbacks on the local stack (${functionsRunIn()})`, load),
      acknowledged: load.acknowledgedOrders,
      stored: load.stored,
      queued: load.queued,
      lost: load.lost,
    },
  ]);

  const callbackFunctions = Object.values(lambdas).filter((spec) => spec.name.startsWith('callback-'));
  const callbackImports = cold.functions.filter((f) => f.name.startsWith('callback-'));
  const worst = (pick: (f: CallbackPathFigures) => number) => Math.max(...path.map(pick));
  const sizing = sizeMemory(
    {
      cpuMeanMs: worst((f) => f.handlerCpuMeanUs) / 1000,
      cpuP99Ms: worst((f) => f.handlerCpuP99Us) / 1000,
      importMs: Math.max(...callbackImports.map((f) => f.importMedianMs)),
    },
    PRICES,
  );
  console.log(
    "\n4. Memory size of the callback functions (arm64; the AWS calls' wait assumed, see bench/memory-sizing.ts)",
  );
  console.table(
    sizing.rows.map((row) => ({
      'memory MB': row.memoryMb,
      vCPU: round(row.vcpu),
      'callback ms': round(row.durationMs),
      'p99 ms': round(row.p99Ms),
      'cold + p99 ms': round(row.coldP99Ms),
      'USD / 1,000': row.usdPerThousand.toFixed(5),
      'well inside': row.wellInside,
    })),
  );
  const configuredMb = [...new Set(callbackFunctions.map((spec) => spec.memoryMb))];

  const biggest = cold.functions.reduce((a, b) => (b.bundleBytes > a.bundleBytes ? b : a));
  const slowest = cold.functions.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const worstType = (pick: (f: CallbackPathFigures) => number) =>
    path.reduce((a, b) => (pick(b) > pick(a) ? b : a)).callbackType;
  const verdict = (pass: boolean, text: string) => ({ pass, text });
  const loadRatio = load.p99Ms / load.floor.p99Ms;
  const verdicts = [
    verdict(
      worst((f) => f.ratio) <= budgets.ratio,
      `callback path: handler ÷ floor ${round(worst((f) => f.ratio))} at the median (${worstType((f) => f.ratio)}; budget ${budgets.ratio})`,
    ),
    verdict(
      worst((f) => f.p99Ratio) <= budgets.p99Ratio,
      `callback path: handler ÷ floor ${round(worst((f) => f.p99Ratio))} at p99 (${worstType((f) => f.p99Ratio)}; budget ${budgets.p99Ratio})`,
    ),
    verdict(
      worst((f) => f.cpuRatio) <= budgets.cpuRatio,
      `callback path: CPU per callback ${round(worst((f) => f.cpuRatio))} × the floor's (${worstType((f) => f.cpuRatio)}; budget ${budgets.cpuRatio})`,
    ),
    verdict(
      worst((f) => f.cpuOnlyMedianUs) <= budgets.cpuOnlyP50Us,
      `callback path: CPU-only ${Math.round(worst((f) => f.cpuOnlyMedianUs))} µs at the median (budget ${budgets.cpuOnlyP50Us} µs)`,
    ),
    verdict(
      worst((f) => f.cpuOnlyP99Us) <= budgets.cpuOnlyP99Us,
      `callback path: CPU-only ${Math.round(worst((f) => f.cpuOnlyP99Us))} µs at p99 (budget ${budgets.cpuOnlyP99Us} µs)`,
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
      loadRatio <= budgets.loadP99Ratio,
      `load: p99 ${load.p99Ms} ms at ${loadConnections} connections, ${round(loadRatio)} × the floor server's ${load.floor.p99Ms} ms (budget ${budgets.loadP99Ratio} ×)`,
    ),
    verdict(
      sizing.chosen !== undefined && configuredMb.length === 1 && configuredMb[0] === sizing.chosen.memoryMb,
      sizing.chosen === undefined
        ? `memory: no size keeps a cold p99 callback within ${wellInsideMs} ms (a fifth of the gateway's ${gatewayDeadlineMs / 1000} s)`
        : `memory: callbacks configured at ${configuredMb.join(', ')} MB (functions/routes.ts); the cheapest size with a cold p99 within ${wellInsideMs} ms is ${sizing.chosen.memoryMb} MB, $${sizing.chosen.usdPerThousand.toFixed(4)} per 1,000 callbacks`,
    ),
  ];
  console.log(`\nBudgets\n${verdicts.map(verdictLine).join('\n')}`);
  if (options.write) {
    const ranAt = new Date().toISOString();
    const written = writeRun({
      machine,
      ranAt,
      budgets,
      path,
      cold,
      load,
      stages,
      sizing: { rows: sizing.rows, chosenMb: sizing.chosen?.memoryMb },
      verdicts,
    });
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

/** `--node 20`: the same bench, run again by the machine's Node 20; its exit code is ours. */
function onNode20(): 0 | 1 {
  const node = findNode(20);
  if (node === undefined) {
    console.error('bench: --node 20 needs a Node 20 on PATH; none was found besides this one');
    return 1;
  }
  const args = process.argv.slice(2).filter((arg, i, all) => arg !== '--node' && all[i - 1] !== '--node');
  const child = spawnSync(node, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], {
    stdio: 'inherit',
  });
  return child.status === 0 ? 0 : 1;
}

const options = optionsOrUsage();
process.exitCode =
  options === undefined
    ? 1
    : options.node === '20' && !process.version.startsWith('v20.')
      ? onNode20()
      : await main(options);
