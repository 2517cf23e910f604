import { describe, expect, it } from 'vitest';
import { BenchUsageError, benchExitCode, benchOptions, type Verdict, verdictLine } from '../../bench/outcome';

const passing: Verdict[] = [
  { pass: true, text: 'cold start: largest bundle payment-worker 578 KB (budget 600 KB)' },
  { pass: true, text: 'load: 0 errors (budget 0)' },
  { pass: true, text: 'load: 0 lost of 2949 acknowledged (budget 0)' },
];
const oneFailing: Verdict[] = [
  ...passing,
  { pass: false, text: 'cold start: slowest import callback-ok 1.51 × the floor (budget 1.5)' },
];

describe('npm run bench', () => {
  it('decides to write no file when run without options', () => {
    expect(benchOptions([], {})).toEqual({ write: false, node: undefined });
  });

  it('decides to write its figures when run with -- --write', () => {
    expect(benchOptions(['--write'], { npm_config_write: undefined })).toEqual({
      write: true,
      node: undefined,
    });
  });

  it('refuses any other option, naming it and the one option there is', () => {
    const run = () => benchOptions(['--wrte'], {});
    expect(run).toThrow(BenchUsageError);
    expect(run).toThrow("unknown option '--wrte': the options are --write and --node 20");
    expect(() => benchOptions(['--write', 'now'], {})).toThrow("unknown option 'now'");
  });

  it('runs on Node 20 for comparison only when asked with -- --node 20, and knows no other Node', () => {
    expect(benchOptions(['--node', '20', '--write'], {})).toEqual({ write: true, node: '20' });
    expect(() => benchOptions(['--node', '18'], {})).toThrow(
      "--node takes 20 (the only other Node on this machine), not '18'",
    );
    expect(() => benchOptions(['--node'], {})).toThrow('not nothing');
    expect(() => benchOptions([], { npm_config_node: '20' })).toThrow('run npm run bench -- --node 20');
  });

  it('refuses --write given to npm instead of the bench, and says how to pass it', () => {
    // What `npm run bench --write` hands over: no argument, only npm's own config variable.
    expect(() => benchOptions([], { npm_config_write: 'true' })).toThrow(
      '--write went to npm, not to the bench: run npm run bench -- --write',
    );
  });

  it('exits 1 when any budget fails', () => {
    expect(benchExitCode(oneFailing)).toBe(1);
    expect(benchExitCode(oneFailing.map((v) => ({ ...v, pass: false })))).toBe(1);
  });

  it('exits 0 when every budget passes', () => {
    expect(benchExitCode(passing)).toBe(0);
  });

  it('prints each budget as PASS or FAIL before what was measured', () => {
    expect(oneFailing.map(verdictLine).slice(-2)).toEqual([
      'PASS  load: 0 lost of 2949 acknowledged (budget 0)',
      'FAIL  cold start: slowest import callback-ok 1.51 × the floor (budget 1.5)',
    ]);
  });
});
