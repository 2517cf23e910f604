import { readFileSync } from 'node:fs';
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { readTerminalList } from '../shared/checkout/terminals';
import { withPageTextOverrides } from '../shared/pages';
import { ApiStack, type DeploymentSettings } from './api-stack';
import { type CustomDomainSettings, customDomainBaseUrl } from './custom-domain';
import { serviceNameFor } from './deployment-names';
import { DEFAULT_LOG_RETENTION_DAYS, logRetention } from './log-retention';
import { StatefulStack } from './stateful-stack';

/** Stack names start with this unless the context `stackPrefix` or the variable `STACK_PREFIX` says otherwise. */
export const DEFAULT_STACK_PREFIX = 'AltaPay';

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

const booleanContext = (app: App, key: string, fallback: boolean): boolean => {
  const value: unknown = contextValue(app, key);
  if (value === undefined || value === '') return fallback;
  // `-c key=true` arrives as a string, `cdk.json` may hold a real boolean.
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`Context ${key} must be true or false, not ${JSON.stringify(value)}`);
};

/** A whole number from context within [min, max]: a typo fails synth. */
const wholeNumberContext = (app: App, key: string, min: number, max: number): number | undefined => {
  const value = stringContext(app, key) ?? contextValue(app, key);
  if (value === undefined) return undefined;
  // Digits only: Number() alone would take `1e3` or ` 12 `.
  const number =
    typeof value === 'number' ? value : /^[0-9]+$/.test(String(value)) ? Number(value) : Number.NaN;
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new Error(
      `Context ${key} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`,
    );
  }
  return number;
};

/** Requests to POST /payments per client address and 5 minutes before WAF answers 429. */
export const DEFAULT_CHECKOUT_RATE_LIMIT = 300;

/** An https URL from context: a typo fails synth instead of the first payment. */
const urlContext = (app: App, key: string): string | undefined => {
  const value = stringContext(app, key);
  if (value === undefined) return undefined;
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url?.protocol !== 'https:') {
    throw new Error(`Context ${key} must be an https URL, not ${JSON.stringify(value)}`);
  }
  // Context ends up in the template and the function's configuration, readable by anyone who can read either.
  if (url.username !== '' || url.password !== '') {
    throw new Error(`Context ${key} must not carry credentials; they belong in Secrets Manager`);
  }
  return value;
};

/** `-c eventBus=default`, a bus name or a bus ARN: a typo fails synth, not the first event. */
const eventBusContext = (app: App): string | undefined => {
  const value = stringContext(app, 'eventBus');
  if (value === undefined) return undefined;
  if (!/^(arn:aws[\w-]*:events:[\w-]+:\d{12}:event-bus\/)?[\w.\-/]{1,256}$/.test(value)) {
    throw new Error(
      `Context eventBus must be default, a bus name or a bus ARN, not ${JSON.stringify(value)}`,
    );
  }
  return value;
};

/** `-c altapayTerminals='[...]'` or a list in cdk.json: checked at synth, passed on as JSON. */
const terminalsContext = (app: App): string | undefined => {
  const value: unknown = contextValue(app, 'altapayTerminals');
  if (value === undefined || value === '') return undefined;
  try {
    return JSON.stringify(readTerminalList(value, 'altapayTerminals'));
  } catch (error) {
    throw new Error(`Context ${(error as Error).message}`);
  }
};

/**
 * Lambda holds at most 4 KB of environment per function, for every variable together: the merchant's
 * texts get half of it, which is a few dozen overridden texts.
 */
export const PAGE_TEXTS_MAX_BYTES = 2048;

/**
 * `-c pageTextsFile=page-texts.json`: the merchant's texts, read and checked at synth (a typo fails
 * synth, not a customer's page) and passed compact as PAGE_TEXTS, so no file has to be bundled or read
 * at a cold start.
 */
const pageTextsContext = (app: App): string | undefined => {
  const file = stringContext(app, 'pageTextsFile');
  if (file === undefined) return undefined;
  let json: string;
  try {
    json = JSON.stringify(JSON.parse(readFileSync(file, 'utf8')));
  } catch (cause) {
    throw new Error(`Context pageTextsFile must name a JSON file; ${file} cannot be read as JSON`, { cause });
  }
  try {
    withPageTextOverrides(json);
  } catch (error) {
    throw new Error(`Context pageTextsFile ${file}: ${(error as Error).message}`);
  }
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > PAGE_TEXTS_MAX_BYTES) {
    throw new Error(
      `Context pageTextsFile ${file} is ${bytes} bytes as compact JSON; at most ${PAGE_TEXTS_MAX_BYTES} fit in a function's environment`,
    );
  }
  return json;
};

/**
 * Copies of the worker the work queue may run at once unless the context `workerMaxConcurrency` says
 * otherwise. Reserved concurrency would guarantee the callbacks their share, but it fails to deploy on a
 * new account whose quota is reduced (often 10, with 10 that must stay unreserved), so the worker is
 * capped at its event source instead: what it does not use stays in the pool for the callbacks.
 */
export const DEFAULT_WORKER_MAX_CONCURRENCY = 5;

/**
 * `-c publicBaseUrl=https://pay.shop.dk/altapay`: an https URL without query or fragment, returned
 * without its trailing slash, so `${url}/callbacks/ok` is always one slash.
 */
const publicBaseUrlContext = (app: App): string | undefined => {
  const value = urlContext(app, 'publicBaseUrl');
  if (value === undefined) return undefined;
  const url = new URL(value);
  if (url.search !== '' || url.hash !== '') {
    throw new Error(
      `Context publicBaseUrl must be the API's base URL without ? or #, like https://pay.shop.dk/altapay, not ${JSON.stringify(value)}`,
    );
  }
  return url.href.replace(/\/+$/, '');
};

/**
 * `-c customDomainName=pay.shop.dk -c certificateArn=arn:aws:acm:... [-c basePath=altapay]`: both or
 * neither, checked here so a typo fails synth and not the deploy's last step.
 */
const customDomainContext = (app: App): CustomDomainSettings | undefined => {
  const domainName = stringContext(app, 'customDomainName');
  const certificateArn = stringContext(app, 'certificateArn');
  const basePath = stringContext(app, 'basePath');
  if (domainName === undefined) {
    if (certificateArn !== undefined || basePath !== undefined) {
      throw new Error('Context certificateArn and basePath need customDomainName (e.g. pay.shop.dk)');
    }
    return undefined;
  }
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domainName)) {
    throw new Error(
      `Context customDomainName must be a lower-case host name like pay.shop.dk, not ${JSON.stringify(domainName)}`,
    );
  }
  if (
    certificateArn === undefined ||
    !/^arn:aws[\w-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/.test(certificateArn)
  ) {
    throw new Error(
      'Context customDomainName needs certificateArn: the ARN of an ACM certificate for that name in the ' +
        `stack's region (arn:aws:acm:<region>:<account>:certificate/<id>), not ${JSON.stringify(certificateArn)}`,
    );
  }
  if (basePath !== undefined && !/^[A-Za-z0-9._~-]{1,128}$/.test(basePath)) {
    throw new Error(
      `Context basePath must be one path segment like altapay (letters, digits, . _ ~ -), not ${JSON.stringify(basePath)}`,
    );
  }
  return { domainName, certificateArn, ...(basePath === undefined ? {} : { basePath }) };
};

/** AltaPay's test gateway: the gateway of a deployment whose `environment` is `test`, unless it names another. */
export const DEFAULT_ALTAPAY_GATEWAY_URL = 'https://testgateway.altapaysecure.com';

/** Which of AltaPay's environments a deployment serves (`environment`); unset means production. */
export const deploymentEnvironments = ['production', 'test'] as const;
export type DeploymentEnvironment = (typeof deploymentEnvironments)[number];

const environmentContext = (app: App): DeploymentEnvironment => {
  const value = stringContext(app, 'environment') ?? 'production';
  const environment = deploymentEnvironments.find((known) => known === value);
  if (environment === undefined) {
    throw new Error(`Context environment must be production or test, not ${JSON.stringify(value)}`);
  }
  return environment;
};

/**
 * The gateway the functions call. Production is the default environment and has no default gateway, so
 * a deploy that forgot the setting fails synth instead of sending live customers to the test gateway;
 * the test gateway is an explicit choice (`"environment": "test"`, or its URL named as `altapayGatewayUrl`).
 */
const gatewayUrlContext = (app: App): string => {
  const environment = environmentContext(app);
  const url = urlContext(app, 'altapayGatewayUrl');
  if (url !== undefined) return url;
  if (environment === 'test') return DEFAULT_ALTAPAY_GATEWAY_URL;
  throw new Error(
    'Context altapayGatewayUrl is not set and environment is production: set "altapayGatewayUrl" to your ' +
      'production gateway (https://<shop>.altapaysecure.com) in deploy-settings.json, or set "environment": "test" ' +
      `to deploy against AltaPay's test gateway (${DEFAULT_ALTAPAY_GATEWAY_URL})`,
  );
};

/** The deployment's settings, from CDK context (`cdk synth -c altapayTerminal=...`); never secrets. */
const deploymentSettings = (app: App, prefix: string): DeploymentSettings => {
  const altapayTerminal = stringContext(app, 'altapayTerminal');
  const altapayTerminals = terminalsContext(app);
  if (altapayTerminal !== undefined && altapayTerminals !== undefined) {
    throw new Error(
      'Context altapayTerminal and altapayTerminals are both set: list every terminal in altapayTerminals',
    );
  }
  const merchantWebhookUrl = urlContext(app, 'merchantWebhookUrl');
  const secretsVersion = stringContext(app, 'secretsVersion');
  const reconcileAfterMinutes = wholeNumberContext(app, 'reconcileAfterMinutes', 1, 1440);
  const eventBus = eventBusContext(app);
  const shopUrl = urlContext(app, 'shopUrl');
  const shopCheckoutUrl = urlContext(app, 'shopCheckoutUrl');
  const pageTexts = pageTextsContext(app);
  const logRetentionDays = wholeNumberContext(app, 'logRetentionDays', 1, 3653) ?? DEFAULT_LOG_RETENTION_DAYS;
  logRetention(logRetentionDays);
  // Read (and checked) even with `waf` off, so a settings file holding both is not told it is a typo.
  const checkoutRateLimit = wholeNumberContext(app, 'checkoutRateLimit', 10, 2_000_000_000);
  const customDomain = customDomainContext(app);
  const publicBaseUrl = publicBaseUrlContext(app) ?? customDomainBaseUrl(customDomain);
  return {
    autoCapture: booleanContext(app, 'autoCapture', false),
    altapayGatewayUrl: gatewayUrlContext(app),
    ...(altapayTerminal === undefined ? {} : { altapayTerminal }),
    ...(altapayTerminals === undefined ? {} : { altapayTerminals }),
    ...(merchantWebhookUrl === undefined ? {} : { merchantWebhookUrl }),
    ...(eventBus === undefined ? {} : { eventBus }),
    // On unless turned off explicitly: forgetting the context must not open the callbacks to everyone.
    restrictCallbacksToAltaPay: booleanContext(app, 'restrictCallbacksToAltaPay', true),
    // On unless turned off explicitly (`-c waf=false`), like the callback restriction.
    ...(booleanContext(app, 'waf', true)
      ? { checkoutRateLimit: checkoutRateLimit ?? DEFAULT_CHECKOUT_RATE_LIMIT }
      : {}),
    ...(secretsVersion === undefined ? {} : { secretsVersion }),
    ...(reconcileAfterMinutes === undefined ? {} : { reconcileAfterMinutes }),
    ...(shopUrl === undefined ? {} : { shopUrl }),
    ...(shopCheckoutUrl === undefined ? {} : { shopCheckoutUrl }),
    ...(pageTexts === undefined ? {} : { pageTexts }),
    logRetentionDays,
    // The region's one API Gateway account setting belongs to one stack: the default copy unless told.
    apiGatewayAccountRole: booleanContext(app, 'apiGatewayAccountRole', prefix === DEFAULT_STACK_PREFIX),
    keepCrossStackExports: booleanContext(app, 'keepCrossStackExports', false),
    workerMaxConcurrency:
      wholeNumberContext(app, 'workerMaxConcurrency', 2, 1000) ?? DEFAULT_WORKER_MAX_CONCURRENCY,
    ...(publicBaseUrl === undefined ? {} : { publicBaseUrl }),
    ...(customDomain === undefined ? {} : { customDomain }),
  };
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
  const settings = deploymentSettings(app, prefix);

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
    serviceName: serviceNameFor(prefix),
  });
  return { stateful, api };
}
