import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { lambdas } from '../functions/routes';
import { lambdaBundling } from '../infra/bundling';
import { repoRoot } from '../local/lambda-loader';
import { median } from './stats';

export interface ColdStartFigures {
  readonly name: string;
  readonly bundleBytes: number;
  readonly importMedianMs: number;
  /** Import time ÷ the floor bundle's. */
  readonly ratio: number;
}

/** Settings every function needs at start-up (values are never used: nothing is called). */
const environment = {
  ...process.env,
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  NODE_OPTIONS: '--enable-source-maps',
  PAYMENTS_TABLE_NAME: 'payments',
  WORK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/payment-work',
  WORK_DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/payment-work-dlq',
  ALTAPAY_GATEWAY_URL: 'https://testgateway.altapaysecure.com',
  ALTAPAY_API_USERNAME: 'bench',
  ALTAPAY_API_PASSWORD: 'bench',
  ALTAPAY_TERMINAL: 'Bench Terminal',
};

/** Bundles `entry` exactly as the CDK app does (infra/bundling.ts) and returns the bundle's path. */
async function bundle(entry: string, outdir: string): Promise<string> {
  const outfile = join(outdir, 'index.mjs');
  await build({
    entryPoints: [resolve(repoRoot, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: lambdaBundling.format,
    minify: lambdaBundling.minify,
    sourcemap: lambdaBundling.sourceMap,
    sourcesContent: lambdaBundling.sourcesContent,
    target: lambdaBundling.target,
    mainFields: [...lambdaBundling.mainFields],
    banner: { js: lambdaBundling.banner },
    external: [...lambdaBundling.externalModules],
    logLevel: 'silent',
  });
  return outfile;
}

/** Median time to import the bundle in a fresh Node process (module loading and start-up code only). */
function importTime(file: string, runs: number): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t);`;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: environment,
      encoding: 'utf8',
    });
    const ms = Number(child.stdout.trim().split('\n').at(-1));
    if (child.status !== 0 || !Number.isFinite(ms))
      throw new Error(`importing ${file} failed: ${child.stderr}`);
    times.push(ms);
  }
  return median(times);
}

/** Bundle size and cold import time of every function, against the floor bundle. */
export async function benchColdStarts(
  runs: number,
): Promise<{ floor: ColdStartFigures; functions: ColdStartFigures[] }> {
  const root = mkdtempSync(join(tmpdir(), 'cold-start-'));
  const floorFile = await bundle('bench/floor-entry.ts', join(root, 'floor'));
  const floorMs = importTime(floorFile, runs);
  const floor = {
    name: 'floor (DynamoDB + SQS clients)',
    bundleBytes: statSync(floorFile).size,
    importMedianMs: floorMs,
    ratio: 1,
  };
  const functions: ColdStartFigures[] = [];
  for (const spec of Object.values(lambdas)) {
    const file = await bundle(spec.entry, join(root, spec.name));
    const ms = importTime(file, runs);
    functions.push({
      name: spec.name,
      bundleBytes: statSync(file).size,
      importMedianMs: ms,
      ratio: ms / floorMs,
    });
  }
  return { floor, functions };
}
