/**
 * `npm start`: the whole flow on this machine (see stack.ts), with a banner and a clean Ctrl-C.
 * PORT (default 3000), ALTAPAY_SIMULATOR_PORT (default 3001) and MERCHANT_PORT (default 3002) choose
 * the ports; LOCAL_SWEEP_INTERVAL_MS (default 5000) how often the sweeper runs. The console shows one
 * short line per request, callback and worker step; LOG_FORMAT=json shows the functions' JSON log
 * lines and metrics as Lambda writes them.
 *
 * `npm start -- --bundled` (or LOCAL_FUNCTIONS=bundled) runs the functions from the bundles `cdk synth`
 * wrote, each in a Node process of the deployed runtime's major, instead of their TypeScript through
 * tsx: what ships is what runs. It synthesizes first when `cdk.out` is missing or older than the sources.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { logFormat } from '../functions/runtime/logger';
import { consoleTime } from '../functions/runtime/short-log-line';
import { assemblyStaleness } from './bundled/cloud-assembly';
import { localFunctions, repoRoot } from './lambda-loader';
import { type LocalStack, startLocalStack } from './stack';

/** Where `npm run payments` looks for the running stack (scripts/payments/target.ts reads the same). */
const stateFile = process.env.PAYMENTS_LOCAL_STACK_FILE || resolve(repoRoot, '.local', 'stack.json');

/** Past this, a stop still waiting (for a function that is still running) gives up and exits. */
const stopDeadlineMs = 5_000;

let starting: Promise<LocalStack> | undefined;
let stopping = false;

function onSignal(signal: NodeJS.Signals): void {
  if (stopping) {
    console.log('Forced exit.');
    process.exit(130);
  }
  stopping = true;
  console.log(`\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping (press Ctrl-C again to force)...`);
  setTimeout(() => {
    console.error(
      `Still stopping after ${stopDeadlineMs / 1000} s (a function is still running): exiting anyway.`,
    );
    process.exit(1);
  }, stopDeadlineMs).unref();
  // A stack still starting is stopped once it runs; one that failed to start has stopped itself.
  const stopped = starting?.then(
    (stack) => stack.stop(),
    () => undefined,
  );
  (stopped ?? Promise.resolve()).then(
    () => {
      console.log('Stopped.');
      process.exit(0);
    },
    (error: unknown) => {
      console.error(`Could not stop cleanly: ${oneLine(error)}`);
      process.exit(1);
    },
  );
}

function parsePort(name: string, fallback: string): number {
  const value = process.env[name] ?? fallback;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new Error(`${name} must be a port number, not '${value}'`);
  return port;
}

function parseInterval(name: string, fallback: string): number {
  const value = process.env[name] || fallback;
  const ms = Number(value);
  if (!/^\d+$/.test(value) || ms < 100)
    throw new Error(`${name} must be a number of milliseconds >= 100, not '${value}'`);
  return ms;
}

function oneLine(error: unknown): string {
  if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
    return `${error.message}: another process uses the port; set PORT, ALTAPAY_SIMULATOR_PORT or MERCHANT_PORT to pick another`;
  }
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
}

/** `--bundled` is the only argument: LOCAL_FUNCTIONS=bundled, with `cdk.out` brought up to date first. */
function chooseFunctions(args: readonly string[]): void {
  const unknown = args.filter((arg) => arg !== '--bundled');
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown.join(' ')}: the only one is --bundled`);
  if (args.includes('--bundled')) process.env.LOCAL_FUNCTIONS = 'bundled';
  if (localFunctions() !== 'bundled') return;
  const stale = assemblyStaleness();
  if (stale === undefined) return;
  console.log(`Bundled functions: ${stale}; synthesizing first (npm run synth)...`);
  const synth = spawnSync('npm', ['run', 'synth'], { cwd: repoRoot, stdio: 'inherit' });
  if (synth.status !== 0) throw new Error('npm run synth failed: the bundles cannot be built (see above)');
}

process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

try {
  chooseFunctions(process.argv.slice(2));
  // The functions read LOG_FORMAT when they load; npm start's console is the short one by default.
  process.env.LOG_FORMAT ||= 'short';
  // Metrics are JSON lines too (embedded metric format): part of the JSON console, noise in the short one.
  if (logFormat() === 'short') process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  starting = startLocalStack({
    apiPort: parsePort('PORT', '3000'),
    simulatorPort: parsePort('ALTAPAY_SIMULATOR_PORT', '3001'),
    merchantPort: parsePort('MERCHANT_PORT', '3002'),
    notificationDelayMs: Number(process.env.ALTAPAY_SIMULATOR_NOTIFICATION_DELAY_MS ?? 5000),
    scheduleIntervalMs: parseInterval('LOCAL_SWEEP_INTERVAL_MS', '5000'),
    log: (line) => console.log(`${consoleTime()}  ${line}`),
    stateFile,
  });
  const stack = await starting;
  if (!stopping) {
    console.log(
      [
        '',
        'AltaPay payments: local stack is running',
        '',
        ...stack.banner,
        '',
        'Operators  npm run payments -- list | show <order> | watch | dlq list  (in another terminal)',
        'Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  }
} catch (error) {
  // Stopping already: the signal handler ends the process.
  if (!stopping) {
    console.error(`Could not start the local stack: ${oneLine(error)}`);
    process.exit(1);
  }
}
