/**
 * The whole back end on this machine: emulated DynamoDB and SQS with the resources the CDK app would
 * create, the AltaPay gateway simulator, and the API in front of the real handlers (loaded lazily from
 * `functions/`), all from the same route table as the deployed stack. `npm start` and the end-to-end
 * tests both run it. Nothing here talks to AWS.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { httpRoutes, lambdas } from '../functions/routes';
import { type GatewaySimulator, startGatewaySimulator } from './altapay-simulator/index';
import { startApiServer } from './api-gateway-server';
import { renderDemoShop } from './demo-shop';
import {
  createPaymentsTable,
  createWorkQueues,
  type Emulators,
  fakeCredentials,
  handlerEnvironment,
  type LocalResources,
  startEmulators,
} from './emulators';
import { loadLambdaHandler, repoRoot } from './lambda-loader';
import type { LocalService, RunningService } from './local-service';

export interface LocalStackOptions {
  /** 0 picks free ports (tests). */
  readonly apiPort: number;
  readonly simulatorPort: number;
  /** How long an open payment waits for its notification. */
  readonly notificationDelayMs: number;
  /** One line per API request and simulator event; silent when absent. */
  readonly log?: (line: string) => void;
}

export interface LocalStack extends LocalResources {
  readonly apiUrl: string;
  readonly simulator: GatewaySimulator;
  /** What `npm start` prints: one line per service and route. */
  readonly banner: readonly string[];
  stop(): Promise<void>;
}

const host = '127.0.0.1';

/**
 * Starts everything and points the handlers at it through `process.env`, the way Lambda configures
 * them. Settings already in the environment (ALTAPAY_CALLBACK_SECRET, SHOP_RECEIPT_URL, ...) pass through.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  // Before the first SDK client exists: the SDK checks this once, when the first client is built.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const emulators: Emulators = await startEmulators();
  const running: { name: string; service: RunningService }[] = [];
  const stop = async () => {
    const failures: string[] = [];
    for (const { name, service } of [...running].reverse()) {
      await service.stop().catch((error: unknown) => failures.push(`${name}: ${describe(error)}`));
    }
    await emulators.stop().catch((error: unknown) => failures.push(`emulators: ${describe(error)}`));
    if (failures.length > 0) throw new Error(failures.join('; '));
  };
  try {
    const tableName = 'payments';
    await createPaymentsTable(emulators.dynamodbEndpoint, tableName);
    const queues = await createWorkQueues(emulators.sqsEndpoint, 'payment-work');
    const resources: LocalResources = {
      dynamodbEndpoint: emulators.dynamodbEndpoint,
      sqsEndpoint: emulators.sqsEndpoint,
      tableName,
      ...queues,
    };
    // Before any handler is imported: handlers read their configuration at module load.
    Object.assign(process.env, handlerEnvironment(resources));
    process.env.AWS_ACCESS_KEY_ID ??= fakeCredentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY ??= fakeCredentials.secretAccessKey;

    let simulator: GatewaySimulator | undefined;
    let apiUrl = '';
    const services: LocalService[] = [
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
          const started = await startApi(options);
          apiUrl = started.url;
          return started.service;
        },
      },
    ];
    for (const service of services) running.push({ name: service.name, service: await service.start() });
    if (simulator === undefined) throw new Error('the AltaPay simulator did not start');
    return {
      ...resources,
      apiUrl,
      simulator,
      banner: [
        ...running.flatMap(({ service }) => service.banner ?? []),
        '',
        `DynamoDB table  ${tableName}  (${emulators.dynamodbEndpoint})`,
        `SQS queues      payment-work, payment-work-dlq  (${emulators.sqsEndpoint})`,
      ],
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

/** The AltaPay gateway stand-in; create-payment finds it through the environment, like the real one. */
async function startAltaPaySimulator(
  options: LocalStackOptions,
): Promise<{ simulator: GatewaySimulator; service: RunningService }> {
  const env = process.env;
  const credentials = {
    username: env.ALTAPAY_API_USERNAME || 'shop-api',
    password: env.ALTAPAY_API_PASSWORD || 'local-password',
  };
  const terminal = env.ALTAPAY_TERMINAL || 'AltaPay Test Terminal';
  const simulator = await startGatewaySimulator({
    port: options.simulatorPort,
    host,
    credentials,
    terminals: [terminal],
    ...(env.ALTAPAY_CALLBACK_SECRET ? { callbackSecret: env.ALTAPAY_CALLBACK_SECRET } : {}),
    notificationDelayMs: options.notificationDelayMs,
    ...(options.log ? { log: (line: string) => options.log?.(`[altapay] ${line}`) } : {}),
  });
  env.ALTAPAY_GATEWAY_URL = simulator.url;
  env.ALTAPAY_API_USERNAME = credentials.username;
  env.ALTAPAY_API_PASSWORD = credentials.password;
  env.ALTAPAY_TERMINAL = terminal;
  return {
    simulator,
    service: {
      banner: [
        `AltaPay simulator  ${simulator.url}/  (terminal '${terminal}', API user '${credentials.username}')`,
      ],
      stop: () => simulator.stop(),
    },
  };
}

async function startApi(options: LocalStackOptions): Promise<{ url: string; service: RunningService }> {
  const api = await startApiServer({
    port: options.apiPort,
    host,
    routes: httpRoutes,
    loadHandler: loadLambdaHandler,
    ...(options.log ? { onRequest: options.log } : { onError: () => {} }),
    localPages: new Map([['/', renderDemoShop]]),
  });
  // Handlers load on their first request, after this: create-payment tells the gateway these callback URLs.
  process.env.PUBLIC_BASE_URL = api.url;
  const width = Math.max(...httpRoutes.map((route) => `${api.url}${route.path}`.length));
  const routeLines = httpRoutes.map((route) => {
    const { entry } = lambdas[route.lambda];
    const missing = existsSync(resolve(repoRoot, entry)) ? '' : `  (${entry} not written yet)`;
    return `  ${route.method.padEnd(4)} ${`${api.url}${route.path}`.padEnd(width)}  -> ${route.lambda}${missing}`;
  });
  return {
    url: api.url,
    service: {
      banner: [`Demo shop  ${api.url}/`, `API  ${api.url}`, ...routeLines],
      stop: () => api.close(),
    },
  };
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
}
