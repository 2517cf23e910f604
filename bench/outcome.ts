/**
 * What `npm run bench` does with its figures and how it ends, decided apart from the measuring so it
 * can be specified without running the benchmark: it writes files only when asked to, and its exit
 * code says whether every budget passed.
 */

export const benchUsage =
  'Usage: npm run bench [-- --write] [-- --node 20]\n' +
  "  --write    also write the figures: bench/results.json, docs/performance.md's tables, the README's headline\n" +
  "  --node 20  run on the machine's Node 20 for comparison (the default is Node 24, the functions' runtime)\n" +
  'Without --write the run only prints its figures and changes no file.';

export interface BenchOptions {
  /** Write bench/results.json, docs/performance.md's tables and the README's headline figures. */
  readonly write: boolean;
  /** Node 20 for comparison instead of the functions' runtime (undefined: the Node running the bench). */
  readonly node: '20' | undefined;
}

/** A mistyped `npm run bench` command, said so that the person can fix it. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

/**
 * The options of `npm run bench -- <args>`. `env` is the process's: `npm run bench --write` (without
 * the `--`) hands the flag to npm, which passes it on only as `npm_config_write`, and the figures the
 * person meant to save would be lost.
 */
export function benchOptions(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): BenchOptions {
  const nodeAt = args.indexOf('--node');
  const node = nodeAt === -1 ? undefined : args[nodeAt + 1];
  if (nodeAt !== -1 && node !== '20') {
    throw new BenchUsageError(
      `--node takes 20 (the only other Node on this machine), not ${node === undefined ? 'nothing' : `'${node}'`}`,
    );
  }
  const unknown = args.filter(
    (arg, i) => arg !== '--write' && (nodeAt === -1 || (i !== nodeAt && i !== nodeAt + 1)),
  );
  if (unknown.length > 0) {
    throw new BenchUsageError(
      `unknown option ${unknown.map((arg) => `'${arg}'`).join(', ')}: the options are --write and --node 20`,
    );
  }
  if (env.npm_config_write !== undefined && !args.includes('--write')) {
    throw new BenchUsageError('--write went to npm, not to the bench: run npm run bench -- --write');
  }
  if (env.npm_config_node !== undefined && node === undefined) {
    throw new BenchUsageError('--node went to npm, not to the bench: run npm run bench -- --node 20');
  }
  return { write: args.includes('--write'), node: node === '20' ? node : undefined };
}

/** One budget's outcome, as the run prints it. */
export interface Verdict {
  readonly pass: boolean;
  readonly text: string;
}

export const verdictLine = ({ pass, text }: Verdict): string => `${pass ? 'PASS' : 'FAIL'}  ${text}`;

/** 1 when any budget fails, so CI and scripts can tell from the exit code alone; 0 when all pass. */
export const benchExitCode = (verdicts: readonly Verdict[]): 0 | 1 => (verdicts.every((v) => v.pass) ? 0 : 1);
