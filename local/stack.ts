/**
 * The whole back end on this machine: emulated DynamoDB and SQS with the resources the CDK app would
 * create, the AltaPay gateway simulator, the API in front of the real handlers (loaded lazily from
 * `functions/`), the event sources that invoke the Lambdas without a route (the work queue's consumer,
 * the schedule), and a merchant endpoint that receives the signed payment events; all from the same
 * route table as the deployed stack. `npm start` and the end-to-end tests both run it. Nothing here
 * talks to AWS.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { eventSources, httpRoutes, type LambdaName, lambdas } from '../functions/routes';
import { describeTerminals } from '../shared/checkout/terminals';
import { type GatewaySimulator, startGatewaySimulator } from './altapay-simulator/index';
import { type Handler, startApiServer } from './api-gateway-server';
import { stopBundledFunctions, warmBundledFunctions } from './bundled/bundled-loader';
import { requireFreshAssembly } from './bundled/cloud-assembly';
import { renderDemoShop } from './demo-shop';
import {
  createPaymentsTable,
  createWorkQueues,
  defaultVisibilityTimeoutSeconds,
  type Emulators,
  fakeCredentials,
  handlerEnvironment,
  type LocalResources,
  localRegion,
  startEmulators,
  workQueueMaxReceiveCount,
} from './emulators';
import { localGatewayCredentials } from './gateway-credentials';
import { loadLambdaHandler, loadLambdaModule, localFunctions, repoRoot } from './lambda-loader';
import type { LocalService, RunningService } from './local-service';
import { configuredTerminals } from './local-terminals';
import { type MerchantEndpoint, startMerchantEndpoint } from './merchant-endpoint';
import { type Schedule, startSchedule } from './schedule';
import { localShopOrderKey } from './shop-order-key';
import { type SqsEventSource, startSqsEventSource } from './sqs-event-source';

export interface LocalStackOptions {
  /** 0 picks free ports (tests). */
  readonly apiPort: number;
  readonly simulatorPort: number;
  /** How long an open payment waits for its notification. */
  readonly notificationDelayMs: number;
  /**
   * One line per API request, simulator event, worker batch returned to the queue and merchant event;
   * silent when absent.
   */
  readonly log?: (line: string) => void;
  /**
   * How long the simulated gateway waits for the shop to answer a callback, and keeps the customer
   * waiting for a late one (default 28000 ms, as AltaPay; tests set less).
   */
  readonly gatewayAnswerTimeoutMs?: number;
  /** The local merchant endpoint's port; 0 (the default) picks a free one. */
  readonly merchantPort?: number;
  /** The work queue's visibility timeout, i.e. when a failed message is retried (default 60 s). */
  readonly workQueueVisibilityTimeoutSeconds?: number;
  /** How often scheduled Lambdas run locally (default 5000 ms; on AWS it is minutes). */
  readonly scheduleIntervalMs?: number;
  /**
   * How long a payment request may go unanswered before the reconciler asks the gateway, in seconds
   * (default: RECONCILE_AFTER_MINUTES when set, else 30 s; on AWS 15 minutes).
   */
  readonly reconcileAfterSeconds?: number;
  /**
   * Where the handlers reach DynamoDB and SQS, given the emulators (default: the emulators
   * themselves). Tests put fault proxies in between; the stack's own set-up and the event source
   * (the Lambda service's side) keep using the emulators directly.
   */
  readonly handlerEndpoints?: (emulators: AwsEndpoints) => Promise<AwsEndpoints>;
  /** Where the handlers reach the AltaPay gateway, given the simulator's URL (default: the simulator). */
  readonly handlerGateway?: (simulatorUrl: string) => Promise<string>;
  /**
   * Where to write `LocalStackState` once everything runs, removed again by `stop()`: how another
   * process (`npm run payments`) finds emulators on random ports. `npm start` sets it, tests do not.
   */
  readonly stateFile?: string;
  /** How DynamoDB and SQS are started (default: in this process; the benchmark gives them their own). */
  readonly startEmulators?: () => Promise<Emulators>;
  /**
   * How the API's functions are loaded (default: into this process). The load benchmark runs each in
   * a pool of worker threads instead, as Lambda runs concurrent requests in separate environments.
   */
  readonly loadHttpHandler?: (lambda: LambdaName) => Promise<Handler>;
}

/** The state file's content (see `LocalStackOptions.stateFile`). */
export interface LocalStackState {
  readonly dynamodbEndpoint: string;
  readonly sqsEndpoint: string;
  readonly tableName: string;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  readonly region: string;
  readonly apiUrl: string;
  /** The AltaPay simulator, which `npm run payments -- reconcile` asks (absent in older files). */
  readonly altapayGatewayUrl?: string;
  /** The process running the stack: a file left behind by a killed one is recognised as stale. */
  readonly pid: number;
  readonly startedAt: string;
}

/** Where DynamoDB and SQS answer. */
export interface AwsEndpoints {
  readonly dynamodbEndpoint: string;
  readonly sqsEndpoint: string;
}

/** The running stack. `dynamodbEndpoint`, `sqsEndpoint` and the queue URLs are the emulators' own. */
export interface LocalStack extends LocalResources {
  readonly apiUrl: string;
  readonly simulator: GatewaySimulator;
  /** The merchant's systems: where the worker delivers the signed events (unless MERCHANT_WEBHOOK_URL says otherwise). */
  readonly merchant: MerchantEndpoint;
  /** One consumer per `work-queue` event source in the route table. */
  readonly queueConsumers: readonly SqsEventSource[];
  /** One timer per `schedule` event source in the route table. */
  readonly schedules: readonly Schedule[];
  /** Where the handlers reach DynamoDB and SQS (see `LocalStackOptions.handlerEndpoints`). */
  readonly handlerEndpoints: AwsEndpoints;
  /** The key orders for POST /payments are signed with here (SHOP_ORDER_KEY, or `localShopOrderKey`). */
  readonly shopOrderKey: string;
  /** What `npm start` prints: one line per service and route. */
  readonly banner: readonly string[];
  stop(): Promise<void>;
}

/** Signs the events the local worker sends when MERCHANT_WEBHOOK_SECRET is not set; never use it elsewhere. */
export const localMerchantSecret = 'whsec_bG9jYWwtc3RhY2stb25seSBzaWduaW5nIGtleSEhISE=';

const host = '127.0.0.1';

/**
 * Starts everything and points the handlers at it through `process.env`, the way Lambda configures
 * them. Settings already in the environment (ALTAPAY_CALLBACK_SECRET, SHOP_RECEIPT_URL, ...) pass through.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  // Before the first SDK client exists: the SDK checks this once, when the first client is built.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  // Bundled functions need a fresh cdk.out: say so before anything starts, not as every request's 502.
  if (localFunctions() === 'bundled') requireFreshAssembly();
  const emulators: Emulators = await (options.startEmulators ?? startEmulators)();
  const running: { name: string; service: RunningService }[] = [];
  // Only a file this stack wrote is removed: a second start that fails must not hide the running one.
  let stateWritten = false;
  const stop = async () => {
    const failures: string[] = [];
    if (stateWritten && options.stateFile)
      await rm(options.stateFile, { force: true }).catch(() => undefined);
    for (const { name, service } of [...running].reverse()) {
      await service.stop().catch((error: unknown) => failures.push(`${name}: ${describe(error)}`));
    }
    // The bundled functions' processes (LOCAL_FUNCTIONS=bundled); none when the sources run in here.
    await stopBundledFunctions().catch((error: unknown) => failures.push(`functions: ${describe(error)}`));
    await emulators.stop().catch((error: unknown) => failures.push(`emulators: ${describe(error)}`));
    if (failures.length > 0) throw new Error(failures.join('; '));
  };
  try {
    const tableName = 'payments';
    await createPaymentsTable(emulators.dynamodbEndpoint, tableName);
    const visibilityTimeoutSeconds =
      options.workQueueVisibilityTimeoutSeconds ?? defaultVisibilityTimeoutSeconds;
    const queues = await createWorkQueues(emulators.sqsEndpoint, 'payment-work', {
      visibilityTimeoutSeconds,
    });
    const resources: LocalResources = {
      dynamodbEndpoint: emulators.dynamodbEndpoint,
      sqsEndpoint: emulators.sqsEndpoint,
      tableName,
      ...queues,
    };
    const emulatorEndpoints: AwsEndpoints = {
      dynamodbEndpoint: emulators.dynamodbEndpoint,
      sqsEndpoint: emulators.sqsEndpoint,
    };
    const handlerEndpoints = (await options.handlerEndpoints?.(emulatorEndpoints)) ?? emulatorEndpoints;
    // Before any handler is imported: handlers read their configuration at module load, and in this one
    // process they all share one settings module, so everything must be in place before the first.
    Object.assign(
      process.env,
      handlerEnvironment({
        ...resources,
        ...handlerEndpoints,
        // Queue URLs name the host the SDK sends to: they go through the handlers' SQS endpoint too.
        queueUrl: rebase(queues.queueUrl, handlerEndpoints.sqsEndpoint),
        dlqUrl: rebase(queues.dlqUrl, handlerEndpoints.sqsEndpoint),
      }),
    );
    process.env.AWS_ACCESS_KEY_ID ??= fakeCredentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY ??= fakeCredentials.secretAccessKey;
    setWorkerEnvironment(options);
    process.env.SHOP_ORDER_KEY ||= localShopOrderKey;
    const shopOrderKey = process.env.SHOP_ORDER_KEY;

    let simulator: GatewaySimulator | undefined;
    let merchant: MerchantEndpoint | undefined;
    let apiUrl = '';
    const sources: { consumers: SqsEventSource[]; schedules: Schedule[] } = { consumers: [], schedules: [] };
    const services: LocalService[] = [
      {
        // First: its URL goes into MERCHANT_WEBHOOK_URL, which must be set before any handler loads.
        name: 'merchant-endpoint',
        start: async () => {
          const started = await startMerchant(options);
          merchant = started.merchant;
          return started.service;
        },
      },
      {
        name: 'altapay-simulator',
        start: async () => {
          const started = await startAltaPaySimulator(options);
          simulator = started.simulator;
          return started.service;
        },
      },
      {
        name: 'api',
        start: async () => {
          const started = await startApi(options, shopOrderKey);
          apiUrl = started.url;
          return started.service;
        },
      },
      {
        // Last: the worker calls the gateway, so the simulator's settings must be in place.
        name: 'event-sources',
        start: async () => {
          const started = await startEventSources(options, resources, visibilityTimeoutSeconds);
          sources.consumers = started.consumers;
          sources.schedules = started.schedules;
          return started.service;
        },
      },
    ];
    for (const service of services) running.push({ name: service.name, service: await service.start() });
    // Every setting is in place now: the bundled functions' processes can start (see bundled-loader.ts).
    const functionsFrom = localFunctions();
    if (functionsFrom === 'bundled') warmBundledFunctions(Object.keys(lambdas) as LambdaName[]);
    if (simulator === undefined) throw new Error('the AltaPay simulator did not start');
    if (merchant === undefined) throw new Error('the merchant endpoint did not start');
    const bannerOf = (name: string) => running.find((r) => r.name === name)?.service.banner ?? [];
    if (options.stateFile) {
      const state: LocalStackState = {
        ...resources,
        region: localRegion,
        apiUrl,
        altapayGatewayUrl: simulator.url,
        pid: process.pid,
        startedAt: new Date().toISOString(),
      };
      await mkdir(dirname(options.stateFile), { recursive: true });
      await writeFile(options.stateFile, `${JSON.stringify(state, null, 2)}\n`);
      stateWritten = true;
    }
    return {
      ...resources,
      apiUrl,
      simulator,
      merchant,
      queueConsumers: sources.consumers,
      schedules: sources.schedules,
      handlerEndpoints,
      shopOrderKey,
      banner: [
        ...bannerOf('altapay-simulator'),
        ...bannerOf('api'),
        '',
        ...bannerOf('merchant-endpoint'),
        ...bannerOf('event-sources'),
        '',
        `DynamoDB table  ${tableName}  (${emulators.dynamodbEndpoint})`,
        `SQS queues      payment-work, payment-work-dlq  (${emulators.sqsEndpoint})`,
        functionsFrom === 'bundled'
          ? 'Functions       the bundles in cdk.out, one Node process each on the deployed runtime (LOCAL_FUNCTIONS=bundled)'
          : 'Functions       the TypeScript entries in functions/, through tsx (npm start -- --bundled runs the synthesized bundles)',
      ],
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

/**
 * The worker's, sweeper's and reconciler's settings, local defaults unless already set: park a message
 * on the attempt the queue would redrive it, and sweep and reconcile sooner than the deployed defaults.
 */
function setWorkerEnvironment(options: LocalStackOptions): void {
  const env = process.env;
  env.WORK_MAX_ATTEMPTS ||= String(workQueueMaxReceiveCount);
  if (Number(env.WORK_MAX_ATTEMPTS) > workQueueMaxReceiveCount) {
    // The queue would move the message to the DLQ first, without the reason the worker adds.
    throw new Error(
      `WORK_MAX_ATTEMPTS=${env.WORK_MAX_ATTEMPTS} is above the local work queue's maxReceiveCount (${workQueueMaxReceiveCount})`,
    );
  }
  env.SWEEP_MIN_AGE_SECONDS ||= '5';
  if (options.reconcileAfterSeconds !== undefined)
    env.RECONCILE_AFTER_MINUTES = String(options.reconcileAfterSeconds / 60);
  env.RECONCILE_AFTER_MINUTES ||= '0.5';
  env.MERCHANT_WEBHOOK_SECRET ||= localMerchantSecret;
}

/** The merchant's systems; the worker delivers to them unless MERCHANT_WEBHOOK_URL is set. */
async function startMerchant(
  options: LocalStackOptions,
): Promise<{ merchant: MerchantEndpoint; service: RunningService }> {
  const env = process.env;
  const merchant = await startMerchantEndpoint({
    port: options.merchantPort ?? 0,
    host,
    signingKey: env.MERCHANT_WEBHOOK_SECRET || localMerchantSecret,
    ...(options.log ? { log: options.log } : {}),
  });
  const elsewhere = env.MERCHANT_WEBHOOK_URL && env.MERCHANT_WEBHOOK_URL !== merchant.url;
  env.MERCHANT_WEBHOOK_URL ||= merchant.url;
  const key =
    env.MERCHANT_WEBHOOK_SECRET === localMerchantSecret ? 'the local key' : 'MERCHANT_WEBHOOK_SECRET';
  return {
    merchant,
    service: {
      banner: [
        elsewhere
          ? `Merchant endpoint  ${merchant.url}  (idle: events go to MERCHANT_WEBHOOK_URL ${env.MERCHANT_WEBHOOK_URL})`
          : `Merchant endpoint  ${merchant.url}  (payment events, signed with ${key}, verified here)`,
      ],
      stop: () => merchant.stop(),
    },
  };
}

/** One console line per scheduled function: what it does, and how often here and on AWS. */
function scheduleBanner(lambda: LambdaName, everyMs: number, everyMinutes: number): string {
  const rate = `runs every ${everyMs / 1000} s (every ${everyMinutes} min on AWS)`;
  const env = process.env;
  if (lambda === 'reconciler') {
    const after = Number(env.RECONCILE_AFTER_MINUTES) * 60;
    return `Reconciler  ${lambda} ${rate}, asks the gateway about payment requests unanswered for ${after} s`;
  }
  return `Sweeper  ${lambda} ${rate}, for work older than ${env.SWEEP_MIN_AGE_SECONDS} s`;
}

/** What invokes the Lambdas without a route, from the route table's `eventSources`. */
async function startEventSources(
  options: LocalStackOptions,
  resources: LocalResources,
  visibilityTimeoutSeconds: number,
): Promise<{ consumers: SqsEventSource[]; schedules: Schedule[]; service: RunningService }> {
  const consumers: SqsEventSource[] = [];
  const schedules: Schedule[] = [];
  const banner: string[] = [];
  const everyMs = options.scheduleIntervalMs ?? 5_000;
  const queueName = resources.queueUrl.split('/').at(-1) ?? resources.queueUrl;
  const stopAll = async () => {
    await Promise.allSettled([...consumers, ...schedules].map((source) => source.stop()));
  };
  try {
    for (const source of eventSources) {
      const lambda = lambdas[source.lambda];
      const loadHandler = () => loadLambdaModule(source.lambda);
      const log = options.log;
      if (source.kind === 'work-queue') {
        consumers.push(
          await startSqsEventSource({
            lambda,
            loadHandler,
            queueUrl: resources.queueUrl,
            sqsEndpoint: resources.sqsEndpoint,
            region: localRegion,
            batchSize: source.batchSize,
            ...(log ? { log } : {}),
          }),
        );
        banner.push(
          `Worker   ${lambda.name} polls ${queueName} in batches of ${source.batchSize}; a failed message comes back after ${visibilityTimeoutSeconds} s, goes to ${queueName}-dlq after ${process.env.WORK_MAX_ATTEMPTS} attempts`,
        );
      } else {
        schedules.push(
          startSchedule({ lambda, loadHandler, everyMs, region: localRegion, ...(log ? { log } : {}) }),
        );
        banner.push(scheduleBanner(source.lambda, everyMs, source.everyMinutes));
      }
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  return { consumers, schedules, service: { banner, stop: stopAll } };
}

/** `url` with its origin replaced by `endpoint`'s (local-aws-sqs finds a queue by its name alone). */
function rebase(url: string, endpoint: string): string {
  const { pathname } = new URL(url);
  return new URL(pathname, endpoint).href;
}

/** The AltaPay gateway stand-in; create-payment finds it through the environment, like the real one. */
async function startAltaPaySimulator(
  options: LocalStackOptions,
): Promise<{ simulator: GatewaySimulator; service: RunningService }> {
  const env = process.env;
  const credentials = {
    username: env.ALTAPAY_API_USERNAME || localGatewayCredentials.username,
    password: env.ALTAPAY_API_PASSWORD || localGatewayCredentials.password,
  };
  const terminals = configuredTerminals(env);
  const simulator = await startGatewaySimulator({
    port: options.simulatorPort,
    host,
    credentials,
    terminals: terminals.map((t) => t.name),
    ...(env.ALTAPAY_CALLBACK_SECRET ? { callbackSecret: env.ALTAPAY_CALLBACK_SECRET } : {}),
    notificationDelayMs: options.notificationDelayMs,
    ...(options.gatewayAnswerTimeoutMs === undefined
      ? {}
      : { answerTimeoutMs: options.gatewayAnswerTimeoutMs }),
    ...(options.log ? { log: (line: string) => options.log?.(`[altapay] ${line}`) } : {}),
  });
  env.ALTAPAY_GATEWAY_URL = (await options.handlerGateway?.(simulator.url)) ?? simulator.url;
  env.ALTAPAY_API_USERNAME = credentials.username;
  env.ALTAPAY_API_PASSWORD = credentials.password;
  // The handlers read what the simulator was told, so both know the same terminals.
  if (!env.ALTAPAY_TERMINAL) env.ALTAPAY_TERMINALS = JSON.stringify(terminals);
  return {
    simulator,
    service: {
      banner: [
        `AltaPay simulator  ${simulator.url}/  (terminals ${describeTerminals(terminals)}; API user '${credentials.username}')`,
      ],
      stop: () => simulator.stop(),
    },
  };
}

async function startApi(
  options: LocalStackOptions,
  shopOrderKey: string,
): Promise<{ url: string; service: RunningService }> {
  const api = await startApiServer({
    port: options.apiPort,
    host,
    routes: httpRoutes,
    loadHandler: options.loadHttpHandler ?? loadLambdaHandler,
    ...(options.log ? { onRequest: options.log } : { onError: () => {} }),
    localPages: new Map([
      [
        '/',
        (query) =>
          renderDemoShop({
            query,
            shopOrderKey,
            now: new Date(),
            // Read per page: the simulator settles the terminals after the API server starts.
            terminals: configuredTerminals(process.env),
          }),
      ],
    ]),
  });
  // Handlers load on their first request, after this: create-payment tells the gateway these callback URLs.
  process.env.PUBLIC_BASE_URL = api.url;
  // The demo shop is the shop here: every customer page links back to it (unless the caller says otherwise).
  process.env.SHOP_URL ||= `${api.url}/`;
  const width = Math.max(...httpRoutes.map((route) => `${api.url}${route.path}`.length));
  const routeLines = httpRoutes.map((route) => {
    const { entry } = lambdas[route.lambda];
    const missing = existsSync(resolve(repoRoot, entry)) ? '' : `  (${entry} not written yet)`;
    return `  ${route.method.padEnd(4)} ${`${api.url}${route.path}`.padEnd(width)}  -> ${route.lambda}${missing}`;
  });
  return {
    url: api.url,
    service: {
      banner: [
        `Demo shop  ${api.url}/  (signs its orders with ${shopOrderKey === localShopOrderKey ? 'the local shop key in local/shop-order-key.ts' : 'SHOP_ORDER_KEY'})`,
        `API  ${api.url}`,
        ...routeLines,
      ],
      stop: () => api.close(),
    },
  };
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
}
