import { readFileSync } from 'node:fs';
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { DEFAULT_PREFIX } from './altapay-payments';
import { ApiStack } from './api-stack';
import { serviceNameFor } from './deployment-names';
import {
  contextLabel,
  type DeploymentSettings,
  deploymentSettings,
  type PaymentsSettings,
  type SettingsInput,
} from './deployment-settings';
import { StatefulStack } from './stateful-stack';

/** Stack names start with this unless the context `stackPrefix` or the variable `STACK_PREFIX` says otherwise. */
export const DEFAULT_STACK_PREFIX = DEFAULT_PREFIX;

/** The context keys each app has read: a key in the settings file the app never reads is a typo. */
const keysRead = new WeakMap<App, Set<string>>();

/** Every read of a setting goes through here, so `contextKeysRead` knows the app's settings. */
const contextValue = (app: App, key: string): unknown => {
  let keys = keysRead.get(app);
  if (keys === undefined) {
    keys = new Set();
    keysRead.set(app, keys);
  }
  keys.add(key);
  return app.node.tryGetContext(key);
};

/** The context keys `addPaymentsStacks(app)` read, i.e. every setting the app knows. */
export const contextKeysRead = (app: App): ReadonlySet<string> => keysRead.get(app) ?? new Set();

const stringContext = (app: App, key: string): string | undefined => {
  const value: unknown = contextValue(app, key);
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/** A whole number from context: digits only (Number() alone would take `1e3` or ` 12 `). */
const wholeNumberContext = (app: App, key: string): unknown => {
  const value = stringContext(app, key) ?? contextValue(app, key);
  if (typeof value !== 'string') return value;
  // Not a number: handed on as it came, so the check names the value it was given.
  return /^[0-9]+$/.test(value) ? Number(value) : value;
};

/** `-c key=true` arrives as a string, `cdk.json` may hold a real boolean. */
const booleanContext = (app: App, key: string): unknown => {
  const value: unknown = contextValue(app, key);
  if (value === '') return undefined;
  return value === 'true' ? true : value === 'false' ? false : value;
};

/**
 * `-c pageTextsFile=page-texts.json`: the merchant's texts, read at synth (a typo fails synth, not a
 * customer's page) and passed compact as PAGE_TEXTS, so no file has to be bundled or read at a cold start.
 */
const pageTextsContext = (app: App): unknown => {
  const file = stringContext(app, 'pageTextsFile');
  if (file === undefined) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new Error(`Context pageTextsFile must name a JSON file; ${file} cannot be read as JSON`, { cause });
  }
};

/**
 * `-c customDomainName=pay.shop.dk -c certificateArn=arn:aws:acm:... [-c basePath=altapay]`: both or
 * neither; the values are checked with the other settings.
 */
const customDomainContext = (app: App): PaymentsSettings['customDomain'] => {
  const domainName = stringContext(app, 'customDomainName');
  const certificateArn = stringContext(app, 'certificateArn');
  const basePath = stringContext(app, 'basePath');
  if (domainName === undefined) {
    if (certificateArn !== undefined || basePath !== undefined) {
      throw new Error('Context certificateArn and basePath need customDomainName (e.g. pay.shop.dk)');
    }
    return undefined;
  }
  if (certificateArn === undefined) {
    throw new Error(
      'Context customDomainName needs certificateArn: the ARN of an ACM certificate for that name in the ' +
        "stack's region (arn:aws:acm:<region>:<account>:certificate/<id>)",
    );
  }
  return { domainName, certificateArn, ...(basePath === undefined ? {} : { basePath }) };
};

/** How each plain context key of `PaymentsSettings` is read (the rest have readers of their own). */
const contextKinds = {
  environment: 'string',
  altapayGatewayUrl: 'string',
  altapayTerminal: 'string',
  merchantWebhookUrl: 'string',
  eventBus: 'string',
  secretsVersion: 'string',
  shopUrl: 'string',
  shopCheckoutUrl: 'string',
  publicBaseUrl: 'string',
  autoCapture: 'boolean',
  restrictCallbacksToAltaPay: 'boolean',
  waf: 'boolean',
  apiGatewayAccountRole: 'boolean',
  reconcileAfterMinutes: 'whole number',
  logRetentionDays: 'whole number',
  checkoutRateLimit: 'whole number',
  workerMaxConcurrency: 'whole number',
} as const satisfies Partial<Record<keyof PaymentsSettings, 'string' | 'boolean' | 'whole number'>>;

const contextReaders = {
  string: stringContext,
  boolean: booleanContext,
  'whole number': wholeNumberContext,
} as const;

/** Drops the keys whose value is undefined, so a setting not given is a setting not set. */
const defined = <T extends object>(record: T): T =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;

/**
 * The deployment's settings from CDK context (`cdk synth -c altapayTerminal=...`), in the construct's
 * types and checked by the construct's own check (deployment-settings.ts); never secrets.
 */
const deploymentSettingsFromContext = (app: App, prefix: string): DeploymentSettings => {
  const terminals: unknown = contextValue(app, 'altapayTerminals');
  const input: SettingsInput = defined({
    ...Object.fromEntries(
      Object.entries(contextKinds).map(([key, kind]) => [key, contextReaders[kind](app, key)]),
    ),
    altapayTerminals: terminals === '' ? undefined : terminals,
    pageTexts: pageTextsContext(app),
    customDomain: customDomainContext(app),
  });
  return deploymentSettings(
    {
      // The region's one API Gateway account setting belongs to one stack: the default copy unless told.
      apiGatewayAccountRole: prefix === DEFAULT_STACK_PREFIX,
      ...input,
    },
    contextLabel,
  );
};

export interface PaymentsApp {
  readonly stateful: StatefulStack;
  readonly api: ApiStack;
}

/**
 * Adds the payments stacks and the cdk-nag rule packs to `app`. `infra/app.ts` (the CDK CLI's entry)
 * and the CDK tests both build the app through this, so the tests check what `cdk synth` produces.
 *
 * The prefix lets several copies live in one account (`cdk synth -c stackPrefix=AltaPayTest`).
 */
export function addPaymentsStacks(app: App): PaymentsApp {
  // Every finding, warnings included, fails synth; acknowledgements sit beside the construct they excuse.
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new ServerlessChecks(app, { verbose: true }),
  );

  const prefix = stringContext(app, 'stackPrefix') ?? process.env.STACK_PREFIX ?? DEFAULT_STACK_PREFIX;
  // Environment-agnostic unless pinned (`-c account=... -c region=...`): the templates then do not depend
  // on whichever AWS profile the machine running synth happens to have.
  const env = { account: stringContext(app, 'account'), region: stringContext(app, 'region') };
  // Read before any stack exists, so a bad value stops synth with its own message first.
  const settings = deploymentSettingsFromContext(app, prefix);
  const keepCrossStackExports = booleanContext(app, 'keepCrossStackExports') === true;

  const stateful = new StatefulStack(app, `${prefix}-Stateful`, {
    env,
    description: 'AltaPay payments: table, work queues and secrets (data; retained)',
    secretNamePrefix: prefix,
  });
  const api = new ApiStack(app, `${prefix}-Api`, {
    env,
    description: 'AltaPay payments: functions, REST API, work queue consumer, schedule, alarms (stateless)',
    table: stateful.table,
    workQueue: stateful.workQueue,
    workDeadLetterQueue: stateful.workDeadLetterQueue,
    secrets: stateful.secrets,
    settings,
    keepCrossStackExports,
    serviceName: serviceNameFor(prefix),
  });
  return { stateful, api };
}
