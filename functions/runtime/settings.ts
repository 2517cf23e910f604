import * as z from 'zod/mini';
import { isShopKey, shopKeyShape } from '../../shared/checkout/order-signature';
import { type Terminal, terminalsSchema } from '../../shared/checkout/terminals';
import { type PageCatalogue, withPageTextOverrides } from '../../shared/pages';
import { issueMessage, rule } from '../../shared/validation';
import { isSigningKey, signingKeyShape } from '../../shared/webhooks/signature';

const httpUrl = rule(
  z.url({ protocol: /^https?$/ }),
  'must be an http or https URL such as https://shop.example/receipt',
);
const queueUrl = rule(
  z.url(),
  'must be a queue URL such as https://sqs.eu-west-1.amazonaws.com/123456789012/work',
);
const wholeNumber = (min: number, max: number) =>
  rule(
    z.coerce.number().check(z.refine(Number.isInteger), z.gte(min), z.lte(max)),
    `must be a whole number from ${min} to ${max}`,
  );

/** Minutes, with decimals so that the local stack and its tests can wait seconds (0.05 is 3 s). */
const minutes = (max: number) =>
  rule(
    z.coerce.number().check(z.refine(Number.isFinite), z.gte(0), z.lte(max)),
    `must be a number of minutes from 0 to ${max}, such as 15 (0.5 is 30 seconds)`,
  );

/** A setting holding JSON: read first, then checked by `schema` (whose rules name the bad part). */
const json = <T extends z.core.$ZodType>(schema: T) =>
  z.pipe(
    z.transform((text: string, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        // Unworded: the setting's rule says what it must look like.
        ctx.issues.push({ code: 'custom', input: text });
        return z.NEVER;
      }
    }),
    schema,
  );

const shopKey = rule(z.string().check(z.refine(isShopKey)), `must be ${shopKeyShape}`);

/**
 * Every setting the Lambdas read, from the environment, validated once per cold start. A missing or
 * malformed setting stops the function at start-up with a message that names it.
 */
const settingsSchema = z
  .object({
    PAYMENTS_TABLE_NAME: rule(z.string().check(z.minLength(1)), 'must be the name of the payments table'),
    WORK_QUEUE_URL: z.optional(queueUrl),
    /** The terminal's shared secret: when set, every callback must carry a matching checksum. */
    ALTAPAY_CALLBACK_SECRET: z.optional(z.string()),
    /** The secret before the last rotation, still accepted so rotation needs no downtime. */
    ALTAPAY_CALLBACK_SECRET_PREVIOUS: z.optional(z.string()),
    /** The key the shop's back end signs orders with; create-payment refuses to start without it. */
    SHOP_ORDER_KEY: z.optional(shopKey),
    /** The shop key before the last rotation, still accepted until the shop signs with the new one. */
    SHOP_ORDER_KEY_PREVIOUS: z.optional(shopKey),
    /** When set, callback_ok answers 303 to this shop page instead of showing our receipt. */
    SHOP_RECEIPT_URL: z.optional(httpUrl),
    /** The shop's page every customer page links back to. */
    SHOP_URL: z.optional(httpUrl),
    /** Where a failed or cancelled payment is tried again (`shopOrderId` added); SHOP_URL when unset. */
    SHOP_CHECKOUT_URL: z.optional(httpUrl),
    /** The merchant's own texts over ours, JSON by language and key; checked by withPageTextOverrides. */
    PAGE_TEXTS: z.optional(z.string()),
    MERCHANT_NAME: z.optional(rule(z.string().check(z.maxLength(100)), 'must be at most 100 characters')),
    /** The AltaPay gateway, e.g. https://testgateway.altapaysecure.com. */
    ALTAPAY_GATEWAY_URL: z.optional(httpUrl),
    ALTAPAY_API_USERNAME: z.optional(z.string()),
    ALTAPAY_API_PASSWORD: z.optional(z.string()),
    /** One card terminal for every currency: what a shop with a single terminal sets. */
    ALTAPAY_TERMINAL: z.optional(z.string()),
    /** The terminals by currency and method; create-payment picks one per order. */
    ALTAPAY_TERMINALS: z.optional(json(terminalsSchema)),
    /** `payment` reserves and the merchant captures later; `paymentAndCapture` captures at once. */
    ALTAPAY_PAYMENT_TYPE: z.optional(z.enum(['payment', 'paymentAndCapture'])),
    /** How long an unanswered payment request holds its order before a new one may start (default 180). */
    PAYMENT_REQUEST_EXPIRY_MINUTES: z.optional(wholeNumber(1, 10_080)),
    /** How long one Merchant API call may take; well inside API Gateway's 29 s. */
    ALTAPAY_GATEWAY_TIMEOUT_MS: z.optional(wholeNumber(100, 20_000)),
    /** The dead-letter queue the worker parks failing work in, with the reason. */
    WORK_DLQ_URL: z.optional(queueUrl),
    /** Attempts before the worker parks a message (the queue's redrive maxReceiveCount). */
    WORK_MAX_ATTEMPTS: z.optional(wholeNumber(1, 100)),
    /** The merchant's endpoint for payment events; unset: events are recorded but not sent. */
    MERCHANT_WEBHOOK_URL: z.optional(httpUrl),
    /** The Standard Webhooks key the events are signed with; required with MERCHANT_WEBHOOK_URL. */
    MERCHANT_WEBHOOK_SECRET: z.optional(
      rule(z.string().check(z.refine(isSigningKey)), `must be ${signingKeyShape}`),
    ),
    /**
     * An EventBridge bus the worker also puts every merchant event on (`default`, a bus name or its ARN);
     * unset: the HTTP webhook only.
     */
    EVENT_BUS_NAME: z.optional(
      rule(
        z.string().check(z.regex(/^(arn:aws[\w-]*:events:[\w-]+:\d{12}:event-bus\/)?[\w.\-/]{1,256}$/)),
        'must be default, a bus name such as payments, or its ARN',
      ),
    ),
    /** The sweeper leaves work younger than this to its callback (default 30). */
    SWEEP_MIN_AGE_SECONDS: z.optional(wholeNumber(0, 3600)),
    /** The reconciler asks the gateway about a payment request unanswered this long (default 15). */
    RECONCILE_AFTER_MINUTES: z.optional(minutes(1440)),
    /** Capture reservations once the gateway confirms them. */
    AUTO_CAPTURE: z.optional(z.enum(['true', 'false'])),
    /** Our API's public base URL, for the callback URLs we give the gateway; derived on AWS when unset. */
    PUBLIC_BASE_URL: z.optional(httpUrl),
  })
  .check(
    z.refine(
      (s) => s.ALTAPAY_CALLBACK_SECRET !== undefined || s.ALTAPAY_CALLBACK_SECRET_PREVIOUS === undefined,
      {
        message: 'ALTAPAY_CALLBACK_SECRET_PREVIOUS is set but ALTAPAY_CALLBACK_SECRET is not',
      },
    ),
    z.refine((s) => s.SHOP_ORDER_KEY !== undefined || s.SHOP_ORDER_KEY_PREVIOUS === undefined, {
      message: 'SHOP_ORDER_KEY_PREVIOUS is set but SHOP_ORDER_KEY is not',
    }),
    z.refine((s) => s.ALTAPAY_TERMINAL === undefined || s.ALTAPAY_TERMINALS === undefined, {
      message:
        'ALTAPAY_TERMINAL and ALTAPAY_TERMINALS are both set: list every terminal in ALTAPAY_TERMINALS and unset ALTAPAY_TERMINAL',
    }),
    z.refine((s) => s.MERCHANT_WEBHOOK_URL === undefined || s.MERCHANT_WEBHOOK_SECRET !== undefined, {
      message: 'MERCHANT_WEBHOOK_URL is set but MERCHANT_WEBHOOK_SECRET is not: events must be signed',
    }),
  );

export interface GatewaySettings {
  readonly baseUrl: URL;
  readonly username: string;
  readonly password: string;
  readonly timeoutMs: number;
}

export interface Settings {
  readonly paymentsTableName: string;
  /** Undefined when any gateway setting is missing; functions that call the gateway refuse to start. */
  readonly gateway?: GatewaySettings;
  readonly missingGatewaySettings: readonly string[];
  /**
   * The AltaPay terminals payment requests are made on (create-payment refuses to start without one):
   * ALTAPAY_TERMINALS, or the one card terminal for any currency that ALTAPAY_TERMINAL names.
   */
  readonly terminals: readonly Terminal[];
  readonly paymentType: 'payment' | 'paymentAndCapture';
  readonly requestExpiryMinutes: number;
  readonly publicBaseUrl?: URL;
  readonly workDlqUrl?: string;
  readonly workMaxAttempts: number;
  readonly merchantWebhook?: { readonly url: URL; readonly signingKey: string };
  /** The EventBridge bus merchant events also go to (EVENT_BUS_NAME). */
  readonly eventBusName?: string;
  readonly autoCapture: boolean;
  readonly sweepMinAgeSeconds: number;
  /** How long a payment request may go unanswered before the reconciler asks the gateway. */
  readonly reconcileAfterMinutes: number;
  readonly workQueueUrl?: string;
  readonly callbackSecrets: readonly string[];
  /** SHOP_ORDER_KEY, then SHOP_ORDER_KEY_PREVIOUS during a rotation; empty when unset. */
  readonly shopOrderKeys: readonly string[];
  readonly shopReceiptUrl?: URL;
  readonly shopUrl?: URL;
  readonly shopCheckoutUrl?: URL;
  /** Our texts with the merchant's PAGE_TEXTS over them. */
  readonly pageTexts: PageCatalogue;
  readonly merchantName: string;
}

/** Reads the settings from `env`; throws an Error naming each bad setting. */
export function readSettings(env: NodeJS.ProcessEnv): Settings {
  // An unset and an empty environment variable mean the same: not configured.
  const configured = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = settingsSchema.safeParse(configured, { reportInput: true });
  if (!result.success) {
    const problems = result.error.issues.map((issue) =>
      issueMessage(issue, settingsSchema, { field: '', whole: '' })[1].replace(/\.$/, ''),
    );
    // A value can fail several checks of one setting; its rule is said once.
    throw new Error(`Invalid settings: ${[...new Set(problems)].join('; ')}`);
  }
  const s = result.data;
  let pageTexts: PageCatalogue;
  try {
    pageTexts = withPageTextOverrides(s.PAGE_TEXTS);
  } catch (error) {
    throw new Error(`Invalid settings: ${(error as Error).message}`);
  }
  const gateway = {
    ALTAPAY_GATEWAY_URL: s.ALTAPAY_GATEWAY_URL,
    ALTAPAY_API_USERNAME: s.ALTAPAY_API_USERNAME,
    ALTAPAY_API_PASSWORD: s.ALTAPAY_API_PASSWORD,
  };
  const missingGatewaySettings = Object.entries(gateway)
    .filter(([, value]) => value === undefined)
    .map(([name]) => name);
  return {
    paymentsTableName: s.PAYMENTS_TABLE_NAME,
    ...(s.ALTAPAY_GATEWAY_URL && s.ALTAPAY_API_USERNAME && s.ALTAPAY_API_PASSWORD
      ? {
          gateway: {
            baseUrl: new URL(s.ALTAPAY_GATEWAY_URL),
            username: s.ALTAPAY_API_USERNAME,
            password: s.ALTAPAY_API_PASSWORD,
            timeoutMs: s.ALTAPAY_GATEWAY_TIMEOUT_MS ?? 8_000,
          },
        }
      : {}),
    missingGatewaySettings,
    terminals:
      s.ALTAPAY_TERMINALS ??
      (s.ALTAPAY_TERMINAL === undefined ? [] : [{ name: s.ALTAPAY_TERMINAL, method: 'card' }]),
    paymentType: s.ALTAPAY_PAYMENT_TYPE ?? 'payment',
    requestExpiryMinutes: s.PAYMENT_REQUEST_EXPIRY_MINUTES ?? 180,
    ...(s.PUBLIC_BASE_URL === undefined ? {} : { publicBaseUrl: new URL(s.PUBLIC_BASE_URL) }),
    ...(s.WORK_DLQ_URL === undefined ? {} : { workDlqUrl: s.WORK_DLQ_URL }),
    workMaxAttempts: s.WORK_MAX_ATTEMPTS ?? 5,
    ...(s.MERCHANT_WEBHOOK_URL && s.MERCHANT_WEBHOOK_SECRET
      ? { merchantWebhook: { url: new URL(s.MERCHANT_WEBHOOK_URL), signingKey: s.MERCHANT_WEBHOOK_SECRET } }
      : {}),
    ...(s.EVENT_BUS_NAME === undefined ? {} : { eventBusName: s.EVENT_BUS_NAME }),
    autoCapture: s.AUTO_CAPTURE === 'true',
    sweepMinAgeSeconds: s.SWEEP_MIN_AGE_SECONDS ?? 30,
    reconcileAfterMinutes: s.RECONCILE_AFTER_MINUTES ?? 15,
    ...(s.WORK_QUEUE_URL === undefined ? {} : { workQueueUrl: s.WORK_QUEUE_URL }),
    callbackSecrets: [s.ALTAPAY_CALLBACK_SECRET, s.ALTAPAY_CALLBACK_SECRET_PREVIOUS].filter(
      (secret): secret is string => secret !== undefined,
    ),
    shopOrderKeys: [s.SHOP_ORDER_KEY, s.SHOP_ORDER_KEY_PREVIOUS].filter(
      (key): key is string => key !== undefined,
    ),
    ...(s.SHOP_RECEIPT_URL === undefined ? {} : { shopReceiptUrl: new URL(s.SHOP_RECEIPT_URL) }),
    ...(s.SHOP_URL === undefined ? {} : { shopUrl: new URL(s.SHOP_URL) }),
    ...(s.SHOP_CHECKOUT_URL === undefined ? {} : { shopCheckoutUrl: new URL(s.SHOP_CHECKOUT_URL) }),
    pageTexts,
    merchantName: s.MERCHANT_NAME ?? 'Our shop',
  };
}

/** The variables that hand a function the ARN of each secret it may read (the CDK app sets them). */
export const secretArnVariables = {
  altapayApi: 'ALTAPAY_API_SECRET_ARN',
  altapayCallback: 'ALTAPAY_CALLBACK_SECRET_ARN',
  merchantWebhook: 'MERCHANT_WEBHOOK_SECRET_ARN',
  shopOrder: 'SHOP_ORDER_KEY_SECRET_ARN',
} as const;

/** A secret in Secrets Manager whose JSON fields become settings. */
interface SecretSource {
  /** The environment variable holding the secret's ARN. */
  readonly arnVariable: string;
  /** The settings in the secret's JSON; throws naming the fields that are missing or wrong. */
  settings(json: unknown): Record<string, string | undefined>;
}

function secretSource<T>(
  arnVariable: string,
  schema: z.ZodMiniType<T>,
  toSettings: (value: T) => Record<string, string | undefined>,
): SecretSource {
  return {
    arnVariable,
    settings: (json) => {
      const parsed = schema.safeParse(json);
      if (parsed.success) return toSettings(parsed.data);
      const fields = parsed.error.issues.map((i) => i.path.join('.') || '(secret)').join(', ');
      throw new Error(`Invalid settings: the secret in ${arnVariable} lacks or mistypes: ${fields}`);
    },
  };
}

/**
 * Where secrets live on AWS: Secrets Manager, one secret per audience so each function can read only
 * what it needs (the gateway API credentials, the callback secret, the merchant signing key, the shop's
 * order key).
 */
const secretSources: readonly SecretSource[] = [
  secretSource(
    secretArnVariables.altapayApi,
    // The terminal is not secret, but keeping it with the API user lets a merchant set up the gateway in one place.
    z.object({
      username: z.string().check(z.minLength(1)),
      password: z.string().check(z.minLength(1)),
      terminal: z.optional(z.string().check(z.minLength(1))),
      /** As ALTAPAY_TERMINALS: the list itself, or its JSON text; checked with the other settings. */
      terminals: z.optional(z.union([z.string(), z.array(z.unknown())])),
    }),
    (s) => ({
      ALTAPAY_API_USERNAME: s.username,
      ALTAPAY_API_PASSWORD: s.password,
      ALTAPAY_TERMINAL: s.terminal,
      ALTAPAY_TERMINALS:
        s.terminals === undefined || typeof s.terminals === 'string'
          ? s.terminals
          : JSON.stringify(s.terminals),
    }),
  ),
  secretSource(
    secretArnVariables.altapayCallback,
    z.object({ secret: z.optional(z.string()), previousSecret: z.optional(z.string()) }),
    (s) => ({ ALTAPAY_CALLBACK_SECRET: s.secret, ALTAPAY_CALLBACK_SECRET_PREVIOUS: s.previousSecret }),
  ),
  secretSource(
    secretArnVariables.merchantWebhook,
    z.object({ signingKey: z.string().check(z.minLength(1)) }),
    (s) => ({
      MERCHANT_WEBHOOK_SECRET: s.signingKey,
    }),
  ),
  secretSource(
    secretArnVariables.shopOrder,
    z.object({ key: z.string().check(z.minLength(1)), previousKey: z.optional(z.string()) }),
    (s) => ({ SHOP_ORDER_KEY: s.key, SHOP_ORDER_KEY_PREVIOUS: s.previousKey }),
  ),
];

/** Fetches a secret's JSON text by ARN (Secrets Manager on AWS; injected in tests). */
export type SecretFetcher = (arn: string) => Promise<string>;

/**
 * The settings, with the values of any configured secrets merged over the environment. Read once per
 * cold start; a secret that cannot be read or has the wrong shape stops the function, naming it
 * (never its value).
 */
export async function loadSettings(env: NodeJS.ProcessEnv, fetchSecret: SecretFetcher): Promise<Settings> {
  const merged: NodeJS.ProcessEnv = { ...env };
  for (const source of secretSources) {
    const arn = env[source.arnVariable];
    if (!arn) continue;
    let json: unknown;
    try {
      json = JSON.parse(await fetchSecret(arn));
    } catch (cause) {
      throw new Error(`Invalid settings: the secret in ${source.arnVariable} cannot be read as JSON`, {
        cause,
      });
    }
    for (const [name, value] of Object.entries(source.settings(json))) {
      if (value !== undefined) merged[name] = value;
    }
  }
  return readSettings(merged);
}

/** Settings that can be re-read while a function stays warm (secrets rotate; environments do not). */
export interface SettingsHolder {
  readonly current: Settings;
  /** Re-reads the secrets once `maxAgeMs` has passed since the last read; keeps the last good ones on error. */
  refresh(): Promise<void>;
}

export async function holdSettings(
  env: NodeJS.ProcessEnv,
  fetchSecret: SecretFetcher,
  options: {
    readonly maxAgeMs: number;
    readonly now: () => number;
    readonly onError: (error: unknown) => void;
  },
): Promise<SettingsHolder> {
  let current = await loadSettings(env, fetchSecret);
  let loadedAt = options.now();
  const readsSecrets = Object.values(secretArnVariables).some((name) => env[name]);
  return {
    get current() {
      return current;
    },
    async refresh() {
      if (!readsSecrets || options.now() - loadedAt < options.maxAgeMs) return;
      loadedAt = options.now();
      try {
        current = await loadSettings(env, fetchSecret);
      } catch (error) {
        options.onError(error);
      }
    },
  };
}
