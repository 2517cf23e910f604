import type { z } from 'zod';
import { readTerminalList, type terminalSchema } from '../shared/checkout/terminals';
import { type PageLanguage, type PageTexts, withPageTextOverrides } from '../shared/pages';
import { type CustomDomainSettings, customDomainBaseUrl } from './custom-domain';
import { DEFAULT_LOG_RETENTION_DAYS, logRetention } from './log-retention';

/**
 * Every deployment setting, typed, as a merchant's CDK app passes them to `AltaPayPayments` and as our
 * own app reads them from CDK context (payments-app.ts turns context strings into these types first).
 * `deploymentSettings` is the one check of them: a typo fails synth with a message naming the setting.
 * Never secrets: the gateway credentials and callback secret arrive through Secrets Manager.
 */
export interface PaymentsSettings {
  /** Which of AltaPay's environments this deployment serves; default production. */
  readonly environment?: DeploymentEnvironment;
  /** The AltaPay gateway's base URL (https); required in production, the test gateway by default in test. */
  readonly altapayGatewayUrl?: string;
  /** The one AltaPay terminal every payment uses; or `altapayTerminals`, not both. */
  readonly altapayTerminal?: string;
  /** Terminals by currency and payment method, `[{ name, currency, method }]` (shared/checkout/terminals.ts). */
  readonly altapayTerminals?: readonly z.input<typeof terminalSchema>[];
  /** Capture a reservation as soon as the gateway confirms it; default false (the back office captures). */
  readonly autoCapture?: boolean;
  /** An https URL the worker posts signed events to. */
  readonly merchantWebhookUrl?: string;
  /** An EventBridge bus (`default`, a name or an ARN) the worker also puts every event on. */
  readonly eventBus?: string;
  /** Deny the callback routes to every address but AltaPay's; default true. */
  readonly restrictCallbacksToAltaPay?: boolean;
  /** An AWS WAF web ACL on POST /payments; default true. */
  readonly waf?: boolean;
  /** Requests to POST /payments per client address and 5 minutes before WAF answers 429 (with `waf`). */
  readonly checkoutRateLimit?: number;
  /** Any new value restarts the functions that read secrets (after a secret was changed). */
  readonly secretsVersion?: string;
  /** Minutes a payment request may go unanswered before the reconciler asks the gateway (1–1440). */
  readonly reconcileAfterMinutes?: number;
  /** The shop every customer page links back to (https). */
  readonly shopUrl?: string;
  /** Where a failed or cancelled payment is tried again (https). */
  readonly shopCheckoutUrl?: string;
  /** The merchant's texts over ours, by language and key (shared/pages): `{ da: { paidHeading: '…' } }`. */
  readonly pageTexts?: Partial<Record<PageLanguage, Partial<PageTexts>>>;
  /** Days every log group keeps its events: a CloudWatch retention period; default 365. */
  readonly logRetentionDays?: number;
  /**
   * Whether this deployment owns the region's `AWS::ApiGateway::Account` (the role API Gateway writes
   * execution logs with). One stack per account and region may; default false.
   */
  readonly apiGatewayAccountRole?: boolean;
  /** Copies of the worker the work queue may run at once (2–1000); default 5. */
  readonly workerMaxConcurrency?: number;
  /** The API's public base URL (https, no ? or #) the callback URLs start with; default the custom domain's. */
  readonly publicBaseUrl?: string;
  /** An API Gateway custom domain mapped to the stage. */
  readonly customDomain?: CustomDomainSettings;
}

/** AltaPay's test gateway: the gateway of a deployment whose `environment` is `test`, unless it names another. */
export const DEFAULT_ALTAPAY_GATEWAY_URL = 'https://testgateway.altapaysecure.com';

/** Which of AltaPay's environments a deployment serves (`environment`); unset means production. */
export const deploymentEnvironments = ['production', 'test'] as const;
export type DeploymentEnvironment = (typeof deploymentEnvironments)[number];

/** Requests to POST /payments per client address and 5 minutes before WAF answers 429. */
export const DEFAULT_CHECKOUT_RATE_LIMIT = 300;

/**
 * Copies of the worker the work queue may run at once unless `workerMaxConcurrency` says otherwise.
 * Reserved concurrency would guarantee the callbacks their share, but it fails to deploy on a new account
 * whose quota is reduced (often 10, with 10 that must stay unreserved), so the worker is capped at its
 * event source instead: what it does not use stays in the pool for the callbacks.
 */
export const DEFAULT_WORKER_MAX_CONCURRENCY = 5;

/**
 * Lambda holds at most 4 KB of environment per function, for every variable together: the merchant's
 * texts get half of it, which is a few dozen overridden texts.
 */
export const PAGE_TEXTS_MAX_BYTES = 2048;

/**
 * The settings as the functions and the API need them: checked, defaults applied, everything the
 * environment variables carry already in its string form.
 */
export interface DeploymentSettings {
  /** Capture a reservation as soon as the gateway confirms it (`AUTO_CAPTURE`). */
  readonly autoCapture: boolean;
  /** The AltaPay gateway's base URL (`ALTAPAY_GATEWAY_URL`). */
  readonly altapayGatewayUrl: string;
  /** The AltaPay terminal (`ALTAPAY_TERMINAL`); not passed when unset. */
  readonly altapayTerminal?: string;
  /** The terminals by currency and method, as JSON (`ALTAPAY_TERMINALS`); not passed when unset. */
  readonly altapayTerminals?: string;
  /** Where the worker notifies the merchant of payment changes (`MERCHANT_WEBHOOK_URL`); not passed when unset. */
  readonly merchantWebhookUrl?: string;
  /**
   * An EventBridge bus (`default`, a name or an ARN) the worker also puts every merchant event on
   * (`EVENT_BUS_NAME`), with `events:PutEvents` on that bus only; unset: the webhook only.
   */
  readonly eventBus?: string;
  /** Deny the callback routes to every address but AltaPay's (the API's resource policy). */
  readonly restrictCallbacksToAltaPay: boolean;
  /**
   * Requests to `POST /payments` one client address may make in 5 minutes (an AWS WAF rate-based rule);
   * unset: no web ACL (`waf` false).
   */
  readonly checkoutRateLimit?: number;
  /**
   * Any new value makes the functions that read secrets start afresh (`SECRETS_VERSION`): they read
   * secrets once per cold start, so a changed secret reaches running copies only when they are replaced.
   */
  readonly secretsVersion?: string;
  /**
   * How long a payment request may go unanswered before the reconciler asks the gateway about it
   * (`RECONCILE_AFTER_MINUTES`); not passed when unset (the function's default, 15).
   */
  readonly reconcileAfterMinutes?: number;
  /** The shop every customer page links back to (`SHOP_URL`); not passed when unset. */
  readonly shopUrl?: string;
  /** Where a failed or cancelled payment is tried again (`SHOP_CHECKOUT_URL`); not passed when unset. */
  readonly shopCheckoutUrl?: string;
  /** The merchant's page texts as compact JSON (`PAGE_TEXTS`), already checked; not passed when unset. */
  readonly pageTexts?: string;
  /** Days every log group keeps its events (functions, API access and execution logs); a CloudWatch period. */
  readonly logRetentionDays: number;
  /** Whether this deployment owns the region's `AWS::ApiGateway::Account` (see `PaymentsSettings`). */
  readonly apiGatewayAccountRole: boolean;
  /**
   * How many copies of the worker its work-queue event source may run at once (SQS's `MaximumConcurrency`,
   * 2 at least), so a work backlog cannot take the account's whole concurrency pool from the callbacks.
   */
  readonly workerMaxConcurrency: number;
  /**
   * The API's public base URL without a trailing slash (`PUBLIC_BASE_URL`), e.g. a custom domain with its
   * base path; the callback URLs given to the gateway and printed as outputs start with it. Unset: the
   * API's own execute-api URL.
   */
  readonly publicBaseUrl?: string;
  /** An API Gateway custom domain mapped to the stage (custom-domain.ts); none when unset. */
  readonly customDomain?: CustomDomainSettings;
}

/** How a message names a setting: `Context altapayGatewayUrl` or `AltaPayPayments prop altapayGatewayUrl`. */
export type SettingLabel = (key: string) => string;

/** The context keys whose names differ from the props they fill (payments-app.ts). */
const contextKeys: Readonly<Record<string, string>> = {
  pageTexts: 'pageTextsFile',
  'customDomain.domainName': 'customDomainName',
  'customDomain.certificateArn': 'certificateArn',
  'customDomain.basePath': 'basePath',
};

export const contextLabel: SettingLabel = (key) => `Context ${contextKeys[key] ?? key}`;
export const propLabel: SettingLabel = (key) => `AltaPayPayments prop ${key}`;

/** What the check takes: any value for any setting (context holds strings, a JavaScript app anything). */
export type SettingsInput = { readonly [K in keyof PaymentsSettings]?: unknown };

/** Checks every setting and applies the defaults; the first bad value throws, naming its setting. */
export function deploymentSettings(input: SettingsInput, label: SettingLabel): DeploymentSettings {
  const check = checker(label);
  const environment = check.environment(input.environment);
  if (input.altapayTerminal !== undefined && input.altapayTerminals !== undefined) {
    throw new Error(
      `${label('altapayTerminal')} and altapayTerminals are both set: list every terminal in altapayTerminals`,
    );
  }
  const altapayTerminal = check.nonEmpty('altapayTerminal', input.altapayTerminal);
  const altapayTerminals = check.terminals(input.altapayTerminals);
  const merchantWebhookUrl = check.https('merchantWebhookUrl', input.merchantWebhookUrl);
  const eventBus = check.eventBus(input.eventBus);
  const secretsVersion = check.nonEmpty('secretsVersion', input.secretsVersion);
  const reconcileAfterMinutes = check.wholeNumber(
    'reconcileAfterMinutes',
    input.reconcileAfterMinutes,
    1,
    1440,
  );
  const shopUrl = check.https('shopUrl', input.shopUrl);
  const shopCheckoutUrl = check.https('shopCheckoutUrl', input.shopCheckoutUrl);
  const pageTexts = check.pageTexts(input.pageTexts);
  const logRetentionDays =
    check.wholeNumber('logRetentionDays', input.logRetentionDays, 1, 3653) ?? DEFAULT_LOG_RETENTION_DAYS;
  check.logRetention(logRetentionDays);
  // Checked even with `waf` off, so a settings file holding both is not told it is a typo.
  const checkoutRateLimit = check.wholeNumber(
    'checkoutRateLimit',
    input.checkoutRateLimit,
    10,
    2_000_000_000,
  );
  const customDomain = check.customDomain(input.customDomain);
  const publicBaseUrl = check.publicBaseUrl(input.publicBaseUrl) ?? customDomainBaseUrl(customDomain);
  const altapayGatewayUrl = check.gatewayUrl(environment, input.altapayGatewayUrl);
  const workerMaxConcurrency =
    check.wholeNumber('workerMaxConcurrency', input.workerMaxConcurrency, 2, 1000) ??
    DEFAULT_WORKER_MAX_CONCURRENCY;
  return {
    autoCapture: check.boolean('autoCapture', input.autoCapture) ?? false,
    altapayGatewayUrl,
    ...(altapayTerminal === undefined ? {} : { altapayTerminal }),
    ...(altapayTerminals === undefined ? {} : { altapayTerminals }),
    ...(merchantWebhookUrl === undefined ? {} : { merchantWebhookUrl }),
    ...(eventBus === undefined ? {} : { eventBus }),
    // On unless turned off explicitly: forgetting the setting must not open the callbacks to everyone.
    restrictCallbacksToAltaPay:
      check.boolean('restrictCallbacksToAltaPay', input.restrictCallbacksToAltaPay) ?? true,
    // On unless turned off explicitly, like the callback restriction.
    ...((check.boolean('waf', input.waf) ?? true)
      ? { checkoutRateLimit: checkoutRateLimit ?? DEFAULT_CHECKOUT_RATE_LIMIT }
      : {}),
    ...(secretsVersion === undefined ? {} : { secretsVersion }),
    ...(reconcileAfterMinutes === undefined ? {} : { reconcileAfterMinutes }),
    ...(shopUrl === undefined ? {} : { shopUrl }),
    ...(shopCheckoutUrl === undefined ? {} : { shopCheckoutUrl }),
    ...(pageTexts === undefined ? {} : { pageTexts }),
    logRetentionDays,
    apiGatewayAccountRole: check.boolean('apiGatewayAccountRole', input.apiGatewayAccountRole) ?? false,
    workerMaxConcurrency,
    ...(publicBaseUrl === undefined ? {} : { publicBaseUrl }),
    ...(customDomain === undefined ? {} : { customDomain }),
  };
}

/** The checks of one kind of value each, with messages in `label`'s words. */
function checker(label: SettingLabel) {
  const fail = (message: string): never => {
    throw new Error(message);
  };
  const nonEmpty = (key: string, value: unknown): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '') {
      return fail(`${label(key)} must be a non-empty string, not ${JSON.stringify(value)}`);
    }
    return value;
  };
  const https = (key: string, value: unknown): string | undefined => {
    const text = nonEmpty(key, value);
    if (text === undefined) return undefined;
    const url = URL.canParse(text) ? new URL(text) : undefined;
    if (url?.protocol !== 'https:')
      return fail(`${label(key)} must be an https URL, not ${JSON.stringify(text)}`);
    // Settings end up in the template and the function's configuration, readable by anyone who can read either.
    if (url.username !== '' || url.password !== '') {
      return fail(`${label(key)} must not carry credentials; they belong in Secrets Manager`);
    }
    return text;
  };
  return {
    nonEmpty,
    https,
    boolean: (key: string, value: unknown): boolean | undefined => {
      if (value === undefined || typeof value === 'boolean') return value;
      return fail(`${label(key)} must be true or false, not ${JSON.stringify(value)}`);
    },
    /** A whole number within [min, max]. */
    wholeNumber: (key: string, value: unknown, min: number, max: number): number | undefined => {
      if (value === undefined) return undefined;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        return fail(
          `${label(key)} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`,
        );
      }
      return value;
    },
    environment: (value: unknown): DeploymentEnvironment => {
      const environment = deploymentEnvironments.find((known) => known === (value ?? 'production'));
      return (
        environment ??
        fail(`${label('environment')} must be production or test, not ${JSON.stringify(value)}`)
      );
    },
    /**
     * Production is the default environment and has no default gateway, so a deploy that forgot the
     * setting fails synth instead of sending live customers to the test gateway; the test gateway is an
     * explicit choice (`environment: 'test'`, or its URL as `altapayGatewayUrl`).
     */
    gatewayUrl: (environment: DeploymentEnvironment, value: unknown): string => {
      const url = https('altapayGatewayUrl', value);
      if (url !== undefined) return url;
      if (environment === 'test') return DEFAULT_ALTAPAY_GATEWAY_URL;
      return fail(
        `${label('altapayGatewayUrl')} is not set and environment is production: set "altapayGatewayUrl" to your ` +
          `production gateway (https://<shop>.altapaysecure.com), or set "environment": "test" to deploy against ` +
          `AltaPay's test gateway (${DEFAULT_ALTAPAY_GATEWAY_URL})`,
      );
    },
    eventBus: (value: unknown): string | undefined => {
      const text = nonEmpty('eventBus', value);
      if (text === undefined) return undefined;
      if (!/^(arn:aws[\w-]*:events:[\w-]+:\d{12}:event-bus\/)?[\w.\-/]{1,256}$/.test(text)) {
        return fail(
          `${label('eventBus')} must be default, a bus name or a bus ARN, not ${JSON.stringify(text)}`,
        );
      }
      return text;
    },
    /** Checked here and passed on as JSON. */
    terminals: (value: unknown): string | undefined => {
      if (value === undefined) return undefined;
      try {
        return JSON.stringify(readTerminalList(value, 'altapayTerminals'));
      } catch (error) {
        // readTerminalList's message starts with the setting's name.
        return fail(`${label('')}${(error as Error).message}`);
      }
    },
    /** Checked at synth (a typo fails synth, not a customer's page) and passed compact as PAGE_TEXTS. */
    pageTexts: (value: unknown): string | undefined => {
      if (value === undefined) return undefined;
      const json = JSON.stringify(value);
      try {
        withPageTextOverrides(json);
      } catch (error) {
        return fail(`${label('pageTexts')}: ${(error as Error).message}`);
      }
      const bytes = Buffer.byteLength(json, 'utf8');
      if (bytes > PAGE_TEXTS_MAX_BYTES) {
        return fail(
          `${label('pageTexts')} is ${bytes} bytes as compact JSON; at most ${PAGE_TEXTS_MAX_BYTES} fit in a function's environment`,
        );
      }
      return json;
    },
    logRetention: (days: number): void => {
      try {
        logRetention(days);
      } catch (error) {
        fail(`${label('logRetentionDays')}: ${(error as Error).message}`);
      }
    },
    /** An https URL without query or fragment, returned without its trailing slash. */
    publicBaseUrl: (value: unknown): string | undefined => {
      const text = https('publicBaseUrl', value);
      if (text === undefined) return undefined;
      const url = new URL(text);
      if (url.search !== '' || url.hash !== '') {
        return fail(
          `${label('publicBaseUrl')} must be the API's base URL without ? or #, like https://pay.shop.dk/altapay, not ${JSON.stringify(text)}`,
        );
      }
      return url.href.replace(/\/+$/, '');
    },
    customDomain: (value: unknown): CustomDomainSettings | undefined => {
      if (value === undefined) return undefined;
      if (typeof value !== 'object' || value === null) {
        return fail(
          `${label('customDomain')} must be { domainName, certificateArn, basePath? }, not ${JSON.stringify(value)}`,
        );
      }
      const { domainName, certificateArn, basePath } = value as Record<string, unknown>;
      if (
        typeof domainName !== 'string' ||
        !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domainName)
      ) {
        return fail(
          `${label('customDomain.domainName')} must be a lower-case host name like pay.shop.dk, not ${JSON.stringify(domainName)}`,
        );
      }
      if (
        typeof certificateArn !== 'string' ||
        !/^arn:aws[\w-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/.test(certificateArn)
      ) {
        return fail(
          `${label('customDomain.certificateArn')} must be the ARN of an ACM certificate for that name in the ` +
            `stack's region (arn:aws:acm:<region>:<account>:certificate/<id>), not ${JSON.stringify(certificateArn)}`,
        );
      }
      if (
        basePath !== undefined &&
        (typeof basePath !== 'string' || !/^[A-Za-z0-9._~-]{1,128}$/.test(basePath))
      ) {
        return fail(
          `${label('customDomain.basePath')} must be one path segment like altapay (letters, digits, . _ ~ -), not ${JSON.stringify(basePath)}`,
        );
      }
      return { domainName, certificateArn, ...(basePath === undefined ? {} : { basePath }) };
    },
  };
}
