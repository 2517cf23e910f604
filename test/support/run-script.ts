import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface ScriptRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs one of the repository's scripts in its own Node process, as `npm run <script> --` does, and
 * collects what a person would read. Variables set to undefined are left out of its environment.
 */
export function runScript(
  script: string,
  args: readonly string[],
  env: Record<string, string | undefined>,
): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: repoRoot,
      env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A long-running script (such as `npm start`) in its own Node process. */
export interface RunningScript {
  readonly pid: number;
  /** Everything it wrote so far, standard output and error interleaved as they arrived. */
  output(): string;
  /** Resolves with the output once it matches `pattern`; fails after `timeoutMs`, or when the process ends first. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Settles when the process has ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `script` (with `args`) like `runScript` does, without waiting for it to end. */
export function startScript(
  script: string,
  env: Record<string, string | undefined>,
  args: readonly string[] = [],
): RunningScript {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: repoRoot,
    env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)),
  });
  if (child.pid === undefined) throw new Error(`${script} did not start`);
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  let ended = false;
  exited.then(
    () => {
      ended = true;
    },
    () => {
      ended = true;
    },
  );
  return {
    pid: child.pid,
    output: () => output,
    async waitForOutput(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (ended) throw new Error(`${script} ended before printing ${pattern}:\n${output}`);
        if (Date.now() > deadline)
          throw new Error(`${script} did not print ${pattern} in ${timeoutMs} ms:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return output;
    },
    exited,
  };
}
