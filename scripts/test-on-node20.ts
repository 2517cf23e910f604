/**
 * `npm run test:node20`: the specs that need no browser and no synthesized app (unit, property,
 * contract, security, conformance), run again on the machine's own Node 20, beside the whole suite on
 * Node 24 (the functions' runtime). A developer may run the code on either; the whole suite twice
 * would take CI past its 15 minutes. Fails when no Node 20 is on PATH, so a CI machine without one
 * says so instead of passing silently.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { findNode } from '../bench/bench-node';

export const node20Suites = [
  'test/unit',
  'test/property',
  'test/contract',
  'test/security',
  'test/conformance',
];

const node = findNode(20);
if (node === undefined) {
  console.error(
    'test:node20: no Node 20 on PATH besides this Node; install one (the machine Node) or skip this step',
  );
  process.exit(1);
}
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
console.log(`Running ${node20Suites.join(', ')} on ${node}`);
const run = spawnSync(node, [vitest, 'run', ...node20Suites], { stdio: 'inherit' });
process.exit(run.status ?? 1);
