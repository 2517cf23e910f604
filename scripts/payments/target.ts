/**
 * Where the CLI reads and writes: the local stack `npm start` runs (found through its state file),
 * emulators named explicitly (tests), or a deployed copy (`--stack`, or `--table` / `--queue` /
 * `--dlq`) through the normal AWS credential chain.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { LocalStackState } from '../../local/stack';
import { CliError, localStackNotRunning, UsageError, type Whereabouts } from './errors';

/** The where-to options, as given on the command line. */
export interface TargetOptions {
  readonly stack?: string;
  readonly table?: string;
  readonly queue?: string;
  readonly dlq?: string;
  readonly region?: string;
  /** The payments API's base URL (the ApiUrl output of a deployed stack). */
  readonly api?: string;
  /** Hidden: emulators on these endpoints (tests), with throwaway credentials. */
  readonly endpointDynamodb?: string;
  readonly endpointSqs?: string;
}

/** The resources one command works on; names are resolved only when a command needs them. */
export interface Target extends Whereabouts {
  readonly dynamodb: DynamoDBClient;
  /** Plain JavaScript values in and out; `undefined` attributes are left out, as the adapter does. */
  readonly documents: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  /** The local stack's AltaPay simulator; undefined elsewhere (a deployed gateway is named by the environment). */
  readonly altapayGatewayUrl?: string;
  tableName(): Promise<string>;
  queueUrl(): Promise<string>;
  dlqUrl(): Promise<string>;
  /** The payments API's base URL (capture, refund, release, charge go through it, never to the table). */
  apiUrl(): Promise<string>;
  close(): void;
}

/** Where `npm start` writes its state (local/start.ts writes the same path); PAYMENTS_LOCAL_STACK_FILE overrides it. */
const defaultStateFile = fileURLToPath(new URL('../../.local/stack.json', import.meta.url));

/** The emulators accept any credentials; these only have to be well-formed. */
const emulatorCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

const stateSchema: z.ZodMiniType<LocalStackState> = z.object({
  dynamodbEndpoint: z.string(),
  sqsEndpoint: z.string(),
  tableName: z.string(),
  queueUrl: z.string(),
  dlqUrl: z.string(),
  region: z.string(),
  apiUrl: z.string(),
  altapayGatewayUrl: z.optional(z.string()),
  pid: z.number(),
  startedAt: z.string(),
});

/** Picks the target from the options: explicit endpoints, a deployed stack, or the local stack. */
export function resolveTarget(options: TargetOptions): Target {
  // Before the first client: the SDK would warn about the Node version on stderr, in every command.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if (options.endpointDynamodb !== undefined || options.endpointSqs !== undefined)
    return explicitEmulators(options);
  if (
    options.stack !== undefined ||
    options.table !== undefined ||
    options.queue !== undefined ||
    options.dlq !== undefined ||
    options.api !== undefined
  ) {
    return deployed(options);
  }
  return localStack(options);
}

function localStack(options: TargetOptions): Target {
  const file = process.env.PAYMENTS_LOCAL_STACK_FILE || defaultStateFile;
  if (!existsSync(file)) throw new CliError(localStackNotRunning);
  let state: LocalStackState;
  try {
    state = stateSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    throw new CliError(`${localStackNotRunning} (${file} is unreadable)`);
  }
  // A file left behind by a stack that was killed rather than stopped.
  if (!isAlive(state.pid)) throw new CliError(localStackNotRunning);
  const target = withClients(
    { local: true, description: 'the local stack' },
    {
      dynamodb: { endpoint: state.dynamodbEndpoint, region: state.region, credentials: emulatorCredentials },
      sqs: { endpoint: state.sqsEndpoint, region: state.region, credentials: emulatorCredentials },
    },
    {
      tableName: async () => options.table ?? state.tableName,
      queueUrl: async () => options.queue ?? state.queueUrl,
      dlqUrl: async () => options.dlq ?? state.dlqUrl,
      apiUrl: async () => options.api ?? state.apiUrl,
    },
  );
  return state.altapayGatewayUrl === undefined
    ? target
    : { ...target, altapayGatewayUrl: state.altapayGatewayUrl };
}

function explicitEmulators(options: TargetOptions): Target {
  const region = options.region ?? 'eu-west-1';
  return withClients(
    { local: true, description: `the emulators at ${options.endpointDynamodb ?? options.endpointSqs}` },
    {
      dynamodb: { endpoint: options.endpointDynamodb, region, credentials: emulatorCredentials },
      sqs: { endpoint: options.endpointSqs, region, credentials: emulatorCredentials },
    },
    {
      tableName: async () => required(options.table, '--table'),
      queueUrl: async () => required(options.queue, '--queue'),
      dlqUrl: async () => required(options.dlq, '--dlq'),
      apiUrl: async () => required(options.api, '--api'),
    },
  );
}

/**
 * A deployed copy. Without @aws-sdk/client-cloudformation the stack's outputs cannot be read, so
 * `--stack` finds the resources by the names CloudFormation generates for them:
 * `<prefix>-Stateful-<logical id><hash>-<random>` (infra/payments-data.ts: PaymentsTable, WorkQueue,
 * WorkDeadLetterQueue). `--table`, `--queue` and `--dlq` name them exactly and take precedence.
 */
function deployed(options: TargetOptions): Target {
  const prefix = options.stack?.replace(/-(Stateful|Api)$/, '');
  const stackName = prefix === undefined ? undefined : `${prefix}-Stateful`;
  const config = options.region === undefined ? {} : { region: options.region };
  const description =
    stackName === undefined
      ? `table ${options.table ?? '(none)'}${options.region ? ` in ${options.region}` : ''}`
      : `stack ${stackName}${options.region ? ` in ${options.region}` : ''}`;
  const target: Target = withClients(
    { local: false, description },
    { dynamodb: config, sqs: config },
    {
      tableName: async () => {
        if (options.table !== undefined) return options.table;
        if (stackName === undefined) throw missing('--table', '--stack');
        return findTable(target, stackName);
      },
      queueUrl: async () => {
        if (options.queue !== undefined) return options.queue;
        if (stackName === undefined) throw missing('--queue', '--stack');
        return findQueue(target, stackName, 'WorkQueue');
      },
      dlqUrl: async () => {
        if (options.dlq !== undefined) return options.dlq;
        if (stackName === undefined) throw missing('--dlq', '--stack');
        return findQueue(target, stackName, 'WorkDeadLetterQueue');
      },
      // Its URL has the API's generated id in it; without CloudFormation's outputs it cannot be found.
      apiUrl: async () => {
        if (options.api !== undefined) return options.api;
        throw new UsageError(
          `this command needs the API's URL on a deployed stack: pass --api <url> (the ApiUrl output of ${prefix ?? '<prefix>'}-Api)`,
        );
      },
    },
  );
  return target;
}

async function findTable(target: Target, stackName: string): Promise<string> {
  const prefix = `${stackName}-PaymentsTable`;
  const names: string[] = [];
  let start: string | undefined;
  do {
    const page = await target.dynamodb.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    names.push(...(page.TableNames ?? []).filter((name) => isGeneratedName(name, prefix)));
    start = page.LastEvaluatedTableName;
  } while (start !== undefined);
  return only(names, `table ${prefix}…`, stackName, await regionOf(target), '--table <name>');
}

async function findQueue(target: Target, stackName: string, logicalId: string): Promise<string> {
  const prefix = `${stackName}-${logicalId}`;
  const urls: string[] = [];
  let next: string | undefined;
  do {
    const page = await target.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, NextToken: next }));
    urls.push(
      ...(page.QueueUrls ?? []).filter((url) => isGeneratedName(url.split('/').at(-1) ?? '', prefix)),
    );
    next = page.NextToken;
  } while (next !== undefined);
  const flag = logicalId === 'WorkQueue' ? '--queue <url>' : '--dlq <url>';
  return only(urls, `queue ${prefix}…`, stackName, await regionOf(target), flag);
}

/**
 * `<stack>-<logical id>` followed by the construct hash CDK appends to logical ids and
 * CloudFormation's random suffix: `WorkQueue` must not pick up `WorkQueueArchive…`.
 */
function isGeneratedName(name: string, prefix: string): boolean {
  return name.startsWith(prefix) && /^[0-9A-F]{8}-/.test(name.slice(prefix.length));
}

function only(
  found: readonly string[],
  what: string,
  stackName: string,
  region: string,
  flag: string,
): string {
  const [first, ...rest] = found;
  if (first === undefined) {
    throw new CliError(
      `Stack ${stackName} not found in ${region}: no ${what} (check --stack and --region, or pass ${flag})`,
    );
  }
  // A table kept from a deleted stack shares the new one's name prefix.
  if (rest.length > 0) throw new CliError(`Several ${what} in ${region} (${found.join(', ')}): pass ${flag}`);
  return first;
}

async function regionOf(target: Target): Promise<string> {
  return target.dynamodb.config.region();
}

function withClients(
  where: Whereabouts,
  config: {
    dynamodb: ConstructorParameters<typeof DynamoDBClient>[0];
    sqs: ConstructorParameters<typeof SQSClient>[0];
  },
  names: Pick<Target, 'tableName' | 'queueUrl' | 'dlqUrl' | 'apiUrl'>,
): Target {
  // Locally, a refused connection is the answer: do not spend the SDK's retries on it.
  const retries = where.local ? { maxAttempts: 1 } : {};
  const dynamodb = new DynamoDBClient({ ...config.dynamodb, ...retries });
  const sqs = new SQSClient({ ...config.sqs, ...retries });
  const memo = <T>(load: () => Promise<T>) => {
    let value: Promise<T> | undefined;
    return () => {
      value ??= load();
      return value;
    };
  };
  return {
    ...where,
    dynamodb,
    documents: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    sqs,
    tableName: memo(names.tableName),
    queueUrl: memo(names.queueUrl),
    dlqUrl: memo(names.dlqUrl),
    apiUrl: memo(names.apiUrl),
    close() {
      dynamodb.destroy();
      sqs.destroy();
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined)
    throw new UsageError(`${flag} is required with --endpoint-dynamodb/--endpoint-sqs`);
  return value;
}

function missing(flag: string, alternative: string): UsageError {
  return new UsageError(
    `this command needs ${flag.replace(/^--/, 'the ')} on a deployed stack: pass ${flag} or ${alternative}`,
  );
}
