/**
 * `npm start`: the whole back end on this machine. Emulated DynamoDB and SQS, the resources the CDK app
 * would create, and the API in front of the real handlers (loaded lazily from `functions/`), all from
 * the same route table as the deployed stack. Nothing here talks to AWS.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { httpRoutes, lambdas } from '../functions/routes';
import { startGatewaySimulator } from './altapay-simulator/index';
import { startApiServer } from './api-gateway-server';
import { renderDemoShop } from './demo-shop';
import {
  createPaymentsTable,
  createWorkQueues,
  type Emulators,
  fakeCredentials,
  handlerEnvironment,
  startEmulators,
} from './emulators';
import { loadLambdaHandler, repoRoot } from './lambda-loader';
import type { LocalService, RunningService } from './local-service';

const tableName = 'payments';
const queueName = 'payment-work';
const host = '127.0.0.1';

let emulators: Emulators | undefined;
const running: { name: string; service: RunningService }[] = [];
let stopping = false;

/** Started in order after the emulators, stopped in reverse. Add a gateway simulator or worker here. */
function localServices(port: number): LocalService[] {
  return [
    { name: 'altapay-simulator', start: startAltaPaySimulator },
    { name: 'api', start: () => startApi(port) },
  ];
}

/** The AltaPay gateway stand-in; create-payment finds it through the environment, like the real one. */
async function startAltaPaySimulator(): Promise<RunningService> {
  const env = process.env;
  const credentials = {
    username: env.ALTAPAY_API_USERNAME || 'shop-api',
    password: env.ALTAPAY_API_PASSWORD || 'local-password',
  };
  const terminal = env.ALTAPAY_TERMINAL || 'AltaPay Test Terminal';
  const simulator = await startGatewaySimulator({
    port: Number(env.ALTAPAY_SIMULATOR_PORT ?? 3001),
    host,
    credentials,
    terminals: [terminal],
    ...(env.ALTAPAY_CALLBACK_SECRET ? { callbackSecret: env.ALTAPAY_CALLBACK_SECRET } : {}),
    notificationDelayMs: Number(env.ALTAPAY_SIMULATOR_NOTIFICATION_DELAY_MS ?? 5000),
    log: (line) => console.log(`${new Date().toISOString().slice(11, 19)}  [altapay] ${line}`),
  });
  // Before any handler loads (they load on their first request): create-payment reads these at cold start.
  env.ALTAPAY_GATEWAY_URL = simulator.url;
  env.ALTAPAY_API_USERNAME = credentials.username;
  env.ALTAPAY_API_PASSWORD = credentials.password;
  env.ALTAPAY_TERMINAL = terminal;
  return {
    banner: [
      `AltaPay simulator  ${simulator.url}/  (terminal '${terminal}', API user '${credentials.username}')`,
    ],
    stop: () => simulator.stop(),
  };
}

async function startApi(port: number): Promise<RunningService> {
  const api = await startApiServer({
    port,
    host,
    routes: httpRoutes,
    loadHandler: loadLambdaHandler,
    onRequest: (line) => console.log(`${new Date().toISOString().slice(11, 19)}  ${line}`),
    localPages: new Map([['/', renderDemoShop]]),
  });
  // Handlers load on their first request, after this: create-payment tells the gateway these callback URLs.
  process.env.PUBLIC_BASE_URL ??= api.url;
  const width = Math.max(...httpRoutes.map((route) => `${api.url}${route.path}`.length));
  const routeLines = httpRoutes.map((route) => {
    const { entry } = lambdas[route.lambda];
    const missing = existsSync(resolve(repoRoot, entry)) ? '' : `  (${entry} not written yet)`;
    return `  ${route.method.padEnd(4)} ${`${api.url}${route.path}`.padEnd(width)}  -> ${route.lambda}${missing}`;
  });
  return { banner: [`Demo shop  ${api.url}/`, `API  ${api.url}`, ...routeLines], stop: () => api.close() };
}

async function main(): Promise<void> {
  const port = parsePort(process.env.PORT ?? '3000');
  // Before the first SDK client exists: the SDK checks this once, when the first client is built.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  emulators = await startEmulators();
  await createPaymentsTable(emulators.dynamodbEndpoint, tableName);
  const queues = await createWorkQueues(emulators.sqsEndpoint, queueName);

  // Before any handler is imported: handlers may read their configuration at module load.
  Object.assign(
    process.env,
    handlerEnvironment({
      dynamodbEndpoint: emulators.dynamodbEndpoint,
      sqsEndpoint: emulators.sqsEndpoint,
      tableName,
      ...queues,
    }),
  );
  process.env.AWS_ACCESS_KEY_ID ??= fakeCredentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY ??= fakeCredentials.secretAccessKey;

  for (const service of localServices(port)) {
    running.push({ name: service.name, service: await service.start() });
  }
  if (stopping) return;

  const lines = [
    '',
    'AltaPay payments: local stack is running',
    '',
    ...running.flatMap(({ service }) => service.banner ?? []),
    '',
    `DynamoDB table  ${tableName}  (${emulators.dynamodbEndpoint})`,
    `SQS queues      ${queueName}, ${queueName}-dlq  (${emulators.sqsEndpoint})`,
    '',
    'Ctrl-C to stop.',
    '',
  ];
  console.log(lines.join('\n'));
}

async function stopEverything(): Promise<void> {
  const failures: string[] = [];
  for (const { name, service } of [...running].reverse()) {
    await service.stop().catch((error: unknown) => failures.push(`${name}: ${oneLine(error)}`));
  }
  await emulators?.stop().catch((error: unknown) => failures.push(`emulators: ${oneLine(error)}`));
  if (failures.length > 0) throw new Error(failures.join('; '));
}

function onSignal(signal: NodeJS.Signals): void {
  if (stopping) {
    console.log('Forced exit.');
    process.exit(130);
  }
  stopping = true;
  console.log(`\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping (press Ctrl-C again to force)...`);
  stopEverything().then(
    () => {
      console.log('Stopped.');
      process.exit(0);
    },
    (error: unknown) => {
      console.error(`Could not stop cleanly: ${oneLine(error)}`);
      process.exit(1);
    },
  );
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new Error(`PORT must be a port number, not '${value}'`);
  return port;
}

function oneLine(error: unknown): string {
  if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
    return `${error.message}: another process uses the port; set PORT to pick another`;
  }
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
}

process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

try {
  await main();
} catch (error) {
  console.error(`Could not start the local stack: ${oneLine(error)}`);
  await stopEverything().catch(() => undefined);
  process.exit(1);
}
