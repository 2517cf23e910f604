import { describe, expect, it } from 'vitest';
import { runScript } from '../support/run-script';
import { tempDir } from '../support/temp-dir';

// `npm run doctor` on a machine with nothing set up: no AWS variables, a home without ~/.aws. It must say
// what is missing in two lines and fail, without waiting on the network (instance metadata is off).

describe('npm run doctor without credentials', () => {
  it('names the missing credentials and the region, and exits 1', async () => {
    const home = tempDir('doctor-home-');
    const run = await runScript('scripts/doctor.ts', [], {
      PATH: process.env.PATH,
      HOME: home,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    expect(run.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^FAIL {2}credentials: none found .*run aws configure or aws sso login/),
      expect.stringMatching(/^FAIL {2}region: none set .*silently go to us-east-1; set AWS_REGION/),
    ]);
    expect(run.code).toBe(1);
  });

  it('says where the region comes from when AWS_REGION sets it', async () => {
    const run = await runScript('scripts/doctor.ts', [], {
      PATH: process.env.PATH,
      HOME: tempDir('doctor-home-'),
      AWS_REGION: 'eu-west-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    expect(run.stdout).toContain('ok    region: eu-west-1 (from AWS_REGION)');
    expect(run.code).toBe(1);
  });
});
