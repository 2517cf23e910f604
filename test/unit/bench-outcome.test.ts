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
    expect(benchOptions([], {})).toEqual({ write: false });
  });

  it('decides to write its figures when run with -- --write', () => {
    expect(benchOptions(['--write'], { npm_config_write: undefined })).toEqual({ write: true });
  });

  it('refuses any other option, naming it and the one option there is', () => {
    const run = () => benchOptions(['--wrte'], {});
    expect(run).toThrow(BenchUsageError);
    expect(run).toThrow("unknown option '--wrte': the only option is --write");
    expect(() => benchOptions(['--write', 'now'], {})).toThrow("unknown option 'now'");
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
