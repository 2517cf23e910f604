import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
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
  SHOP_ORDER_KEY: 'bench-shop-order-key-0123456789abcdef',
};

/** Bundles `entry` exactly as the CDK app does (infra/bundling.ts) and returns the bundle's path. */
export async function bundleLikeLambda(entry: string, outdir: string): Promise<string> {
  const outfile = join(outdir, 'index.mjs');
  await build({
    entryPoints: [resolve(repoRoot, entry)],
    // The alias targets are relative to the repository root, as for the CDK app.
    absWorkingDir: repoRoot,
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
    alias: { ...lambdaBundling.alias },
    logLevel: 'silent',
  });
  return outfile;
}

/** Time to import the bundle in a fresh Node process: module loading and start-up code only. */
function importOnce(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t);`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: environment,
    encoding: 'utf8',
  });
  const ms = Number(child.stdout.trim().split('\n').at(-1));
  if (child.status !== 0 || !Number.isFinite(ms))
    throw new Error(`importing ${file} failed: ${child.stderr}`);
  return ms;
}

/**
 * Bundle size and median cold import time of every function, against the floor bundle. The bundles
 * are imported round-robin, `runs` rounds, so a passing load on the machine hits all of them alike.
 */
export async function benchColdStarts(
  runs: number,
): Promise<{ floor: ColdStartFigures; functions: ColdStartFigures[] }> {
  const root = mkdtempSync(join(tmpdir(), 'cold-start-'));
  try {
    const bundles = [
      {
        name: 'floor (DynamoDB + SQS clients)',
        file: await bundleLikeLambda('bench/floor-entry.ts', join(root, 'floor')),
      },
    ];
    for (const spec of Object.values(lambdas)) {
      bundles.push({ name: spec.name, file: await bundleLikeLambda(spec.entry, join(root, spec.name)) });
    }
    const times = bundles.map(() => [] as number[]);
    for (let round = 0; round < runs; round++) {
      for (const [i, { file }] of bundles.entries()) times[i]?.push(importOnce(file));
    }
    const figures = bundles.map(({ name, file }, i) => ({
      name,
      bundleBytes: statSync(file).size,
      importMedianMs: median(times[i] ?? []),
      ratio: 1,
    }));
    const [floor, ...functions] = figures;
    if (floor === undefined) throw new Error('no floor bundle');
    return {
      floor,
      functions: functions.map((f) => ({ ...f, ratio: f.importMedianMs / floor.importMedianMs })),
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
