/**
 * Keeps the README's "Performance" tables in step with the latest run: everything between the two
 * markers is replaced, so the README never shows figures that no run produced.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { CallbackPathFigures } from './callback-path';
import type { ColdStartFigures } from './cold-start';
import type { LoadFigures, LoadFloorFigures } from './load';
import { round } from './stats';

const start = '<!-- bench:start -->';
const end = '<!-- bench:end -->';

export interface BenchRun {
  machine: string;
  ranAt: string;
  path: CallbackPathFigures[];
  cold: { floor: ColdStartFigures; functions: ColdStartFigures[] };
  load: LoadFigures;
  verdicts: string[];
}

function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function loadCells(f: LoadFloorFigures): (string | number)[] {
  return [round(f.requestsPerSecond), f.p50Ms, f.p99Ms, f.maxMs, f.errors];
}

export function renderRun(run: BenchRun): string {
  return [
    `Latest run: ${run.ranAt.slice(0, 16).replace('T', ' ')} UTC on ${run.machine}.`,
    '',
    table(
      [
        'callback',
        'handler p50 ms',
        'handler p99 ms',
        'floor p50 ms',
        'handler ÷ floor',
        'floor + read ÷ floor',
        'CPU-only p50 µs',
        'CPU-only p99 µs',
      ],
      run.path.map((f) => [
        f.callbackType,
        round(f.handlerMedianMs),
        round(f.handlerP99Ms),
        round(f.floorMedianMs),
        round(f.ratio),
        round(f.readFloorRatio),
        Math.round(f.cpuOnlyMedianUs),
        Math.round(f.cpuOnlyP99Us),
      ]),
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
        ['floor: write + send', ...loadCells(run.load.floor), '', '', '', ''],
        ['floor: read + write + send', ...loadCells(run.load.readFloor), '', '', '', ''],
        [
          'callbacks on the local stack',
          ...loadCells(run.load),
          run.load.acknowledgedOrders,
          run.load.stored,
          run.load.queued,
          run.load.lost,
        ],
      ],
    ),
    '',
    '```',
    ...run.verdicts,
    '```',
  ].join('\n');
}

/** Replaces the marked block in README.md; returns false (and changes nothing) if the markers are gone. */
export function updateReadme(run: BenchRun, path = 'README.md'): boolean {
  const readme = readFileSync(path, 'utf8');
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) return false;
  writeFileSync(path, `${readme.slice(0, from + start.length)}\n${renderRun(run)}\n${readme.slice(to)}`);
  return true;
}
