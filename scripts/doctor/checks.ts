import { paymentSecrets } from '../../infra/secrets';

/**
 * The pre-flight's checks, over a small port to the AWS account (`DoctorAws`, `aws.ts` is the real one)
 * so each can be specified with fakes. One line per check, in plain words, saying what to do.
 */

/** `fail`: a deploy or a payment would go wrong; `warn`: works, but look at it; `ok`: nothing to do. */
export type Verdict = 'ok' | 'warn' | 'fail';

export interface CheckLine {
  readonly verdict: Verdict;
  readonly check: string;
  readonly text: string;
}

/** Where the region a deploy would use comes from, as the CDK CLI picks it. */
export type RegionSource =
  | { readonly region: string; readonly from: 'AWS_REGION' | 'AWS_DEFAULT_REGION' | `profile ${string}` }
  | { readonly region: undefined; readonly profile: string };

/** The credential chain found nothing (no variables, profile, SSO, web identity or container role). */
export class NoCredentialsError extends Error {
  override readonly name = 'NoCredentialsError';
}

export interface DeployedStack {
  readonly outputs: Readonly<Record<string, string>>;
  readonly parameters: Readonly<Record<string, string>>;
}

export interface DoctorAws {
  /** Who the credentials are; throws `NoCredentialsError` when the chain finds none. */
  callerIdentity(): Promise<{ readonly account: string; readonly arn: string }>;
  /** A CloudFormation stack's outputs and parameters; `undefined` when it does not exist. */
  stack(name: string): Promise<DeployedStack | undefined>;
  /** Lambda GetAccountSettings: the account's concurrency quota and what is not reserved. */
  lambdaConcurrency(): Promise<{ readonly limit: number; readonly unreserved: number }>;
  /** A secret's current value; `undefined` when no secret has that name. */
  secretString(name: string): Promise<string | undefined>;
}

/** The bootstrap version `cdk deploy` of this CDK version asks for at least (the CDKToolkit stack's output). */
export const MIN_BOOTSTRAP_VERSION = 6;

/**
 * Below this many concurrent executions the callbacks can be throttled by a burst of checkouts or a work
 * backlog: new accounts start far lower than the usual 1,000.
 */
export const MIN_LAMBDA_CONCURRENCY = 100;

/** The stack the first deploy must be given `AlarmEmail` for. */
const apiStackName = (prefix: string): string => `${prefix}-Api`;

export function regionLine(source: RegionSource): CheckLine {
  if (source.region === undefined) {
    return {
      verdict: 'fail',
      check: 'region',
      text:
        `none set (no AWS_REGION, no region in profile ${source.profile}): a deploy would silently go to ` +
        'us-east-1; set AWS_REGION=<region>, e.g. eu-west-1',
    };
  }
  return { verdict: 'ok', check: 'region', text: `${source.region} (from ${source.from})` };
}

function credentialsLine(error: unknown): CheckLine {
  if (error instanceof NoCredentialsError) {
    return {
      verdict: 'fail',
      check: 'credentials',
      text:
        'none found (no AWS_ACCESS_KEY_ID, no AWS_PROFILE or ~/.aws profile, no SSO session, no role): ' +
        'run aws configure or aws sso login, or set AWS_PROFILE',
    };
  }
  return { verdict: 'fail', check: 'credentials', text: `refused by AWS STS: ${(error as Error).message}` };
}

async function bootstrapLine(aws: DoctorAws, where: string): Promise<CheckLine> {
  const toolkit = await aws.stack('CDKToolkit');
  if (toolkit === undefined) {
    return {
      verdict: 'fail',
      check: 'bootstrap',
      text: `no CDKToolkit stack in ${where}: run npm run cdk -- bootstrap`,
    };
  }
  const version = Number(toolkit.outputs.BootstrapVersion);
  if (!(version >= MIN_BOOTSTRAP_VERSION)) {
    return {
      verdict: 'fail',
      check: 'bootstrap',
      text: `CDKToolkit is version ${toolkit.outputs.BootstrapVersion ?? 'unknown'}, at least ${MIN_BOOTSTRAP_VERSION} is needed: run npm run cdk -- bootstrap`,
    };
  }
  return { verdict: 'ok', check: 'bootstrap', text: `CDKToolkit version ${version} in ${where}` };
}

async function concurrencyLine(aws: DoctorAws): Promise<CheckLine> {
  const { limit, unreserved } = await aws.lambdaConcurrency();
  if (limit < MIN_LAMBDA_CONCURRENCY) {
    return {
      verdict: 'warn',
      check: 'Lambda concurrency',
      text:
        `the account allows ${limit} concurrent executions (new accounts start low): a burst of checkouts ` +
        'can throttle the callbacks; ask for 1,000 in Service Quotas (AWS Lambda, Concurrent executions) before go-live',
    };
  }
  return {
    verdict: 'ok',
    check: 'Lambda concurrency',
    text: `${limit} concurrent executions, ${unreserved} unreserved`,
  };
}

/** The API secret is created with the user `SET-ME`, which AltaPay refuses; the others hold usable generated keys. */
async function secretLines(aws: DoctorAws, prefix: string): Promise<CheckLine[]> {
  const apiName = `${prefix}/${paymentSecrets['altapay-api'].nameSuffix}`;
  const names = Object.values(paymentSecrets).map((spec) => `${prefix}/${spec.nameSuffix}`);
  const values = await Promise.all(names.map(async (name) => [name, await aws.secretString(name)] as const));
  const missing = values.filter(([, value]) => value === undefined).map(([name]) => name);
  if (missing.length === names.length) {
    return [
      {
        verdict: 'warn',
        check: 'secrets',
        text: `none of ${names.join(', ')} exists yet: the first deploy creates them with placeholders; then set them (README: Set the secrets)`,
      },
    ];
  }
  if (missing.length > 0) {
    return [
      {
        verdict: 'fail',
        check: 'secrets',
        text: `missing: ${missing.join(', ')}; deploy ${prefix}-Stateful again`,
      },
    ];
  }
  const apiValue = values.find(([name]) => name === apiName)?.[1] ?? '';
  let username: unknown;
  try {
    username = (JSON.parse(apiValue) as { username?: unknown }).username;
  } catch {
    username = undefined;
  }
  if (username === paymentSecrets['altapay-api'].generate.template.username) {
    return [
      {
        verdict: 'fail',
        check: 'secrets',
        text: `${apiName} still holds the placeholder user SET-ME: put your AltaPay Merchant API user and password (README: Set the secrets)`,
      },
    ];
  }
  if (typeof username !== 'string' || username === '') {
    return [
      {
        verdict: 'fail',
        check: 'secrets',
        text: `${apiName} holds no "username": put {"username":"…","password":"…"}`,
      },
    ];
  }
  return [
    {
      verdict: 'ok',
      check: 'secrets',
      text: `all ${names.length} exist; ${apiName} holds the user ${username}`,
    },
  ];
}

async function alarmEmailLine(aws: DoctorAws, prefix: string): Promise<CheckLine> {
  const name = apiStackName(prefix);
  const stack = await aws.stack(name);
  const email = stack?.parameters.AlarmEmail;
  if (email === undefined || email === '') {
    return {
      verdict: 'warn',
      check: 'alarm e-mail',
      text:
        `${name} has no AlarmEmail yet: deploy with --parameters ${name}:AlarmEmail=you@example.com, ` +
        'or the first deploy fails half-way, after the stateful stack',
    };
  }
  return {
    verdict: 'ok',
    check: 'alarm e-mail',
    text: `${name} e-mails alarms to ${email} (confirm the subscription)`,
  };
}

/**
 * Every check, in the order a deploy needs them. Without credentials or a region only those two lines
 * (the others would need both), so the person reads what is missing first.
 */
export async function runChecks(aws: DoctorAws, region: RegionSource, prefix: string): Promise<CheckLine[]> {
  const regionResult = regionLine(region);
  let identity: { account: string; arn: string };
  try {
    identity = await aws.callerIdentity();
  } catch (error) {
    return [credentialsLine(error), regionResult];
  }
  const lines: CheckLine[] = [
    { verdict: 'ok', check: 'credentials', text: `${identity.arn} (account ${identity.account})` },
    regionResult,
  ];
  if (region.region === undefined) return lines;
  const where = `${identity.account}/${region.region}`;
  lines.push(await bootstrapLine(aws, where));
  lines.push(await concurrencyLine(aws));
  lines.push(...(await secretLines(aws, prefix)));
  lines.push(await alarmEmailLine(aws, prefix));
  return lines;
}

const marks: Readonly<Record<Verdict, string>> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

export const formatLine = (line: CheckLine): string => `${marks[line.verdict]}  ${line.check}: ${line.text}`;

/** 1 when a check failed (a deploy or a payment would go wrong), else 0. */
export const exitCodeOf = (lines: readonly CheckLine[]): number =>
  lines.some((line) => line.verdict === 'fail') ? 1 : 0;
