import { describe, expect, it } from 'vitest';
import {
  type DeployedStack,
  type DoctorAws,
  exitCodeOf,
  formatLine,
  NoCredentialsError,
  type RegionSource,
  runChecks,
} from '../../scripts/doctor/checks';
import { profileRegion, regionSource } from '../../scripts/doctor/region';

// The pre-flight's checks against a fake account at the adapter boundary (scripts/doctor/aws.ts is the
// real one): what each state of an account makes doctor say, and its exit code.

interface Account {
  readonly stacks?: Record<string, DeployedStack>;
  readonly concurrency?: number;
  readonly secrets?: Record<string, string>;
  readonly credentials?: boolean;
}

const fakeAws = (account: Account): DoctorAws => ({
  async callerIdentity() {
    if (account.credentials === false)
      throw new NoCredentialsError('Could not load credentials from any providers');
    return { account: '123456789012', arn: 'arn:aws:iam::123456789012:user/deployer' };
  },
  async stack(name) {
    return account.stacks?.[name];
  },
  async lambdaConcurrency() {
    return { limit: account.concurrency ?? 1000, unreserved: account.concurrency ?? 1000 };
  },
  async secretString(name) {
    return account.secrets?.[name];
  },
});

const region: RegionSource = { region: 'eu-west-1', from: 'AWS_REGION' };
const bootstrapped = { CDKToolkit: { outputs: { BootstrapVersion: '30' }, parameters: {} } };
const deployedSecrets = {
  'AltaPay/altapay/api': '{"username":"api@shop","password":"p"}',
  'AltaPay/altapay/callback': '{"secret":"s"}',
  'AltaPay/merchant/webhook': '{"signingKey":"k"}',
  'AltaPay/shop/order': '{"key":"k"}',
};
const apiStack = { 'AltaPay-Api': { outputs: {}, parameters: { AlarmEmail: 'ops@shop.example' } } };
const ready: Account = {
  stacks: { ...bootstrapped, ...apiStack },
  secrets: deployedSecrets,
};

const say = async (account: Account, where: RegionSource = region) => {
  const lines = await runChecks(fakeAws(account), where, 'AltaPay');
  return { lines: lines.map(formatLine), code: exitCodeOf(lines) };
};

describe('doctor, on an account', () => {
  it('ready to deploy: one ok line per check, exit 0', async () => {
    expect(await say(ready)).toEqual({
      lines: [
        'ok    credentials: arn:aws:iam::123456789012:user/deployer (account 123456789012)',
        'ok    region: eu-west-1 (from AWS_REGION)',
        'ok    bootstrap: CDKToolkit version 30 in 123456789012/eu-west-1',
        'ok    Lambda concurrency: 1000 concurrent executions, 1000 unreserved',
        'ok    secrets: all 4 exist; AltaPay/altapay/api holds the user api@shop',
        'ok    alarm e-mail: AltaPay-Api e-mails alarms to ops@shop.example (confirm the subscription)',
      ],
      code: 0,
    });
  });

  it('not bootstrapped: says to run bootstrap, exit 1', async () => {
    const { lines, code } = await say({ ...ready, stacks: apiStack });
    expect(lines).toContain(
      'FAIL  bootstrap: no CDKToolkit stack in 123456789012/eu-west-1: run npm run cdk -- bootstrap',
    );
    expect(code).toBe(1);
  });

  it('bootstrapped too long ago: asks for bootstrap again', async () => {
    const { lines } = await say({
      ...ready,
      stacks: { CDKToolkit: { outputs: { BootstrapVersion: '4' }, parameters: {} } },
    });
    expect(lines).toContain(
      'FAIL  bootstrap: CDKToolkit is version 4, at least 6 is needed: run npm run cdk -- bootstrap',
    );
  });

  it("a new account's low concurrency quota: a warning naming the quota to raise", async () => {
    const { lines, code } = await say({ ...ready, concurrency: 10 });
    expect(lines.find((l) => l.includes('Lambda concurrency'))).toMatch(
      /^warn {2}Lambda concurrency: the account allows 10 concurrent executions .*Service Quotas/,
    );
    expect(code).toBe(0);
  });

  it('the API secret still holding the placeholder user: exit 1, says what to put', async () => {
    const { lines, code } = await say({
      ...ready,
      secrets: { ...deployedSecrets, 'AltaPay/altapay/api': '{"username":"SET-ME","password":"generated"}' },
    });
    expect(lines).toContain(
      'FAIL  secrets: AltaPay/altapay/api still holds the placeholder user SET-ME: put your AltaPay Merchant API user and password (README: Set the secrets)',
    );
    expect(code).toBe(1);
  });

  it('before the first deploy: no secrets and no AlarmEmail yet, said as what the deploy needs', async () => {
    const { lines, code } = await say({ stacks: bootstrapped });
    expect(lines).toContain(
      'warn  alarm e-mail: AltaPay-Api has no AlarmEmail yet: deploy with --parameters AltaPay-Api:AlarmEmail=you@example.com, or the first deploy fails half-way, after the stateful stack',
    );
    expect(lines.find((l) => l.includes('secrets'))).toMatch(
      /^warn {2}secrets: none of .* exists yet: the first deploy creates them/,
    );
    expect(code).toBe(0);
  });

  it('one secret missing of four: names it', async () => {
    const { 'AltaPay/shop/order': _, ...three } = deployedSecrets;
    const { lines } = await say({ ...ready, secrets: three });
    expect(lines).toContain('FAIL  secrets: missing: AltaPay/shop/order; deploy AltaPay-Stateful again');
  });

  it('without credentials: only the credentials and region lines', async () => {
    const { lines, code } = await say({ credentials: false }, { region: undefined, profile: 'default' });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^FAIL {2}credentials: none found/);
    expect(lines[1]).toMatch(/^FAIL {2}region: none set .*us-east-1/);
    expect(code).toBe(1);
  });
});

describe("doctor's region", () => {
  it('comes from AWS_REGION first, then the profile named by AWS_PROFILE', () => {
    expect(regionSource({ AWS_REGION: 'eu-north-1', HOME: '/nowhere' })).toEqual({
      region: 'eu-north-1',
      from: 'AWS_REGION',
    });
    const config = '[default]\nregion = us-west-2\n\n[profile shop]\noutput = json\nregion=eu-central-1\n';
    expect(profileRegion(config, 'shop')).toBe('eu-central-1');
    expect(profileRegion(config, 'default')).toBe('us-west-2');
    expect(profileRegion(config, 'other')).toBeUndefined();
  });
});
