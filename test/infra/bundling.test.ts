import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { bundleLikeLambda } from '../../bench/cold-start';
import { PaymentsFunction } from '../../infra/payments-function';
import { tempDir } from '../support/temp-dir';

/** The cold-start floor: small, and it reaches the SDK's credential chain through both clients. */
const entry = 'bench/floor-entry.ts';

/** The bundle the CDK app ships for `entry` (the local bundled mode runs these same cdk.out bundles). */
function cdkBundle(): string {
  const outdir = tempDir('bundling-cdk-');
  const app = new App({ outdir });
  new PaymentsFunction(new Stack(app, 'Bundling'), 'Floor', {
    spec: { name: 'floor', entry, description: 'the floor', timeoutSeconds: 10, memoryMb: 512 },
    serviceName: 'bundling-test',
    logRetention: RetentionDays.ONE_DAY,
  });
  app.synth();
  const [asset, ...others] = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
  if (asset === undefined || others.length > 0) throw new Error(`expected one asset in ${outdir}`);
  return readFileSync(join(outdir, asset, 'index.mjs'), 'utf8');
}

describe('bundling (infra/bundling.ts)', () => {
  it('gives the CDK app and the cold-start bench the same bundle, byte for byte', async () => {
    const bench = readFileSync(await bundleLikeLambda(entry, tempDir('bundling-bench-')), 'utf8');

    expect(cdkBundle()).toBe(bench);
  }, 60_000);

  it("replaces the SDK's default credential chain with the environment provider", async () => {
    const bundle = readFileSync(await bundleLikeLambda(entry, tempDir('bundling-alias-')), 'utf8');

    // Strings minifying keeps: the chain's own log lines, and the replacement's error name.
    expect(bundle).not.toContain('defaultProvider::fromSSO');
    expect(bundle).toContain('LambdaCredentialsMissing');
  });
});
