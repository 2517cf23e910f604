/**
 * Writes a run's figures where people read them (`npm run bench -- --write`): bench/results.json in
 * full, the tables in docs/performance.md and the headline figures in README.md. In both documents
 * everything between a pair of markers is replaced, so they never show figures that no run produced.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { CallbackPathFigures } from './callback-path';
import type { ColdStartFigures } from './cold-start';
import type { StageFigures } from './cpu-stages';
import { functionsRunIn } from './function-workers';
import type { LoadFigures, LoadFloorFigures } from './load';
import type { SizingRow } from './memory-sizing';
import { type Verdict, verdictLine } from './outcome';
import { round } from './stats';

export interface BenchRun {
  readonly machine: string;
  readonly ranAt: string;
  readonly budgets: Readonly<Record<string, number>>;
  readonly path: readonly CallbackPathFigures[];
  readonly cold: { readonly floor: ColdStartFigures; readonly functions: readonly ColdStartFigures[] };
  readonly load: LoadFigures;
  /** Where an ok callback's own CPU goes, stage by stage. */
  readonly stages: readonly StageFigures[];
  /** Expected Lambda duration and cost of a callback per memory size, and the size chosen. */
  readonly sizing: { readonly rows: readonly SizingRow[]; readonly chosenMb: number | undefined };
  readonly verdicts: readonly Verdict[];
}

export const resultsFile = 'bench/results.json';
export const performanceDoc = 'docs/performance.md';
export const readme = 'README.md';

function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function loadCells(f: LoadFloorFigures): (string | number)[] {
  return [round(f.requestsPerSecond), f.p50Ms, f.p99Ms, f.maxMs, f.errors];
}

const ranOn = (run: BenchRun) => `${run.ranAt.slice(0, 16).replace('T', ' ')} UTC on ${run.machine}`;

/** docs/performance.md's tables: every figure of the run and its PASS/FAIL lines. */
export function renderTables(run: BenchRun): string {
  return [
    `Latest run: ${ranOn(run)}.`,
    '',
    table(
      [
        'callback',
        'handler p50 ms',
        'handler p99 ms',
        'floor p50 ms',
        'floor p99 ms',
        '÷ floor p50',
        '÷ floor p99',
        'CPU µs (mean)',
        'floor CPU µs',
        'CPU ÷ floor',
        'CPU-only p50 µs',
        'CPU-only p99 µs',
      ],
      run.path.map((f) => [
        f.callbackType,
        round(f.handlerMedianMs),
        round(f.handlerP99Ms),
        round(f.floorMedianMs),
        round(f.floorP99Ms),
        round(f.ratio),
        round(f.p99Ratio),
        Math.round(f.handlerCpuMeanUs),
        Math.round(f.floorCpuMeanUs),
        round(f.cpuRatio),
        Math.round(f.cpuOnlyMedianUs),
        Math.round(f.cpuOnlyP99Us),
      ]),
    ),
    '',
    table(
      ["where an ok callback's own CPU goes", 'µs (median)', 'KB allocated'],
      run.stages.map((s) => [s.stage, Math.round(s.medianUs), Math.round(s.allocatedKb)]),
    ),
    '',
    table(
      ['bundle', 'KB (minified)', 'import p50 ms', '÷ floor'],
      [run.cold.floor, ...run.cold.functions].map((f) => [
        f.name,
        Math.round(f.bundleBytes / 1000),
        round(f.importMedianMs),
        round(f.ratio),
      ]),
    ),
    '',
    table(
      [
        'server',
        'requests/s',
        'p50 ms',
        'p99 ms',
        'max ms',
        'errors',
        'acknowledged',
        'stored',
        'queued',
        'lost',
      ],
      [
        ['floor: read + write + send', ...loadCells(run.load.floor), '', '', '', ''],
        [
          `callbacks on the local stack (${functionsRunIn()})`,
          ...loadCells(run.load),
          run.load.acknowledgedOrders,
          run.load.stored,
          run.load.queued,
          run.load.lost,
        ],
      ],
    ),
    '',
    renderSizing(run),
    '',
    '```',
    ...run.verdicts.map(verdictLine),
    '```',
  ].join('\n');
}

/** A callback function's expected duration and cost per memory size (bench/memory-sizing.ts). */
export function renderSizing(run: BenchRun): string {
  return table(
    [
      'memory MB (arm64)',
      'vCPU',
      'callback ms (mean)',
      'callback p99 ms',
      'cold start + p99 ms',
      'USD per 1,000 callbacks',
      'chosen',
    ],
    run.sizing.rows.map((row) => [
      row.memoryMb,
      round(row.vcpu),
      round(row.durationMs),
      round(row.p99Ms),
      round(row.coldP99Ms),
      row.usdPerThousand.toFixed(5),
      row.memoryMb === run.sizing.chosenMb ? '**yes**' : row.wellInside ? '' : 'too slow',
    ]),
  );
}

/** The README's headline figures: what a callback costs, how big and quick the functions are, load. */
export function renderHeadline(run: BenchRun): string {
  const most = (values: number[]) => Math.max(...values);
  const least = (values: number[]) => Math.min(...values);
  const handlerMs = run.path.map((f) => f.handlerMedianMs);
  const cpuMedianMs = most(run.path.map((f) => f.cpuOnlyMedianUs)) / 1000;
  const cpuP99Ms = most(run.path.map((f) => f.cpuOnlyP99Us)) / 1000;
  const passed = run.verdicts.filter((v) => v.pass).length;
  const { load } = run;
  return [
    `Latest run: ${ranOn(run)}; ${passed} of ${run.verdicts.length} budgets pass.`,
    '',
    `- **A callback** takes ${round(least(handlerMs))} to ${round(most(handlerMs))} ms at the median against the local emulators, at most ${round(most(run.path.map((f) => f.ratio)))} × the floor of its own three calls (${round(most(run.path.map((f) => f.p99Ratio)))} × at p99) and ${round(most(run.path.map((f) => f.cpuRatio)))} × its CPU; our own code's CPU: ${round(cpuMedianMs)} ms at the median, ${round(cpuP99Ms)} ms at p99.`,
    `- **Cold start:** bundles of at most ${Math.round(most(run.cold.functions.map((f) => f.bundleBytes)) / 1000)} KB that import in at most ${round(most(run.cold.functions.map((f) => f.ratio)))} × the time of the bare DynamoDB and SQS clients.`,
    `- **Under load** the local stack answers ${round(load.requestsPerSecond)} callbacks/s with ${load.errors} errors and ${load.lost} of ${load.acknowledgedOrders} acknowledged callbacks lost, p99 ${load.p99Ms} ms (the floor server's ${load.floor.p99Ms} ms).`,
    `- **Memory:** the callbacks run at ${run.sizing.chosenMb ?? '?'} MB, the cheapest size whose cold p99 stays well inside the gateway's 5 s (${[...run.sizing.rows].map((row) => `${row.memoryMb} MB $${row.usdPerThousand.toFixed(4)}`).join(', ')} per 1,000 callbacks).`,
  ].join('\n');
}

/**
 * Replaces what stands between `<!-- <marker>:start -->` and `<!-- <marker>:end -->` in `path`;
 * returns false (and changes nothing) if the markers are gone.
 */
export function replaceMarked(path: string, marker: string, content: string): boolean {
  const start = `<!-- ${marker}:start -->`;
  const end = `<!-- ${marker}:end -->`;
  const text = readFileSync(path, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) return false;
  writeFileSync(path, `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`);
  return true;
}

/** Writes the run to all three places; returns the ones written (a document without markers is not). */
export function writeRun(run: BenchRun): string[] {
  const { machine, ranAt, budgets, path, cold, load, stages, sizing, verdicts } = run;
  writeFileSync(
    resultsFile,
    `${JSON.stringify({ machine, ranAt, budgets, callbackPath: path, cpuStages: stages, coldStart: cold, load, sizing, verdicts: verdicts.map(verdictLine) }, null, 2)}\n`,
  );
  return [
    resultsFile,
    ...(replaceMarked(performanceDoc, 'bench', renderTables(run)) ? [performanceDoc] : []),
    ...(replaceMarked(readme, 'bench-headline', renderHeadline(run)) ? [readme] : []),
  ];
}
