/**
 * In-process AWS emulators for the local stack and the integration tests: dynalite (DynamoDB) and
 * local-aws-sqs (SQS). Both speak the real wire protocols, so the handlers use the ordinary SDK clients,
 * pointed at them with `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL_SQS`.
 */
import type { Server } from 'node:http';
import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import dynalite from 'dynalite';
import { createSqsServer } from 'local-aws-sqs';
import { paymentsTable } from '../adapters/dynamodb/payments-table';
import { defaultServiceName } from '../functions/metrics';
import { listen } from './listen';

export const localRegion = 'eu-west-1';

/** The emulators accept any credentials; these only have to be well-formed. */
export const fakeCredentials = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

const host = '127.0.0.1';

export interface Emulators {
  readonly dynamodbEndpoint: string;
  readonly sqsEndpoint: string;
  /** Closes both servers and their open connections; safe to call more than once. */
  stop(): Promise<void>;
}

export interface WorkQueues {
  readonly queueUrl: string;
  readonly dlqUrl: string;
}

/** Where the local resources are, in the shape `handlerEnvironment` turns into env vars. */
export interface LocalResources extends WorkQueues {
  readonly dynamodbEndpoint: string;
  readonly sqsEndpoint: string;
  readonly tableName: string;
}

/**
 * Starts dynalite and local-aws-sqs on free loopback ports. Tables are ACTIVE at once and queue URLs
 * carry the real port, so nothing has to wait or rewrite URLs.
 */
export async function startEmulators(): Promise<Emulators> {
  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const dynamoPort = await listen(dynamo, 0, host);
  let sqs: Server;
  try {
    // The region only shows in queue ARNs; matching the clients' keeps RedrivePolicy ARNs realistic.
    sqs = await createSqsServer({ port: 0, hostname: host, region: localRegion });
  } catch (error) {
    await closeServer(dynamo);
    throw error;
  }
  const sqsPort = portOf(sqs);

  let stopped: Promise<void> | undefined;
  return {
    dynamodbEndpoint: `http://${host}:${dynamoPort}`,
    sqsEndpoint: `http://${host}:${sqsPort}`,
    stop() {
      stopped ??= Promise.allSettled([closeServer(dynamo), closeServer(sqs)]).then((results) => {
        for (const result of results) {
          if (result.status === 'rejected') throw result.reason;
        }
      });
      return stopped;
    },
  };
}

/**
 * Creates the payments table as `paymentsTable` describes it (the CDK app reads the same object) and
 * waits until it is ACTIVE.
 */
export async function createPaymentsTable(endpoint: string, tableName: string): Promise<void> {
  const { statusIndex, pendingWorkIndex } = paymentsTable;
  const keyNames = [
    paymentsTable.partitionKey,
    paymentsTable.sortKey,
    statusIndex.partitionKey,
    statusIndex.sortKey,
    pendingWorkIndex.partitionKey,
    pendingWorkIndex.sortKey,
  ];
  const attributeDefinitions: AttributeDefinition[] = [...new Set(keyNames)].map((name) => ({
    AttributeName: name,
    AttributeType: 'S',
  }));
  const client = new DynamoDBClient({ region: localRegion, endpoint, credentials: fakeCredentials });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributeDefinitions,
        KeySchema: [
          { AttributeName: paymentsTable.partitionKey, KeyType: 'HASH' },
          { AttributeName: paymentsTable.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [statusIndex, pendingWorkIndex].map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
    // Not the SDK's waitUntilTableExists: its first retry is 20 s away, dynalite needs a few ms.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
      if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
      if (Date.now() > deadline) throw new Error(`Table ${tableName} did not become ACTIVE`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    client.destroy();
  }
}

/**
 * Receives before the work queue moves a message to its DLQ (the redrive policy's maxReceiveCount).
 * The worker parks a message itself on this attempt (WORK_MAX_ATTEMPTS), with the reason.
 */
export const workQueueMaxReceiveCount = 5;

/** The work queue's visibility timeout when none is asked for: six times the worker's timeout, as on AWS. */
export const defaultVisibilityTimeoutSeconds = 60;

export interface WorkQueueOptions {
  /**
   * How long a received message stays invisible, i.e. how soon a failed one comes back. Tests set a
   * few seconds so retries and the DLQ can be watched quickly.
   */
  readonly visibilityTimeoutSeconds?: number;
}

/**
 * Creates `<baseName>-dlq` and `<baseName>` redriving to it after `workQueueMaxReceiveCount` receives.
 * The DLQ must exist first: local-aws-sqs, like SQS, rejects a RedrivePolicy whose target is missing.
 */
export async function createWorkQueues(
  endpoint: string,
  baseName: string,
  options: WorkQueueOptions = {},
): Promise<WorkQueues> {
  const client = new SQSClient({ region: localRegion, endpoint, credentials: fakeCredentials });
  try {
    const dlq = await client.send(new CreateQueueCommand({ QueueName: `${baseName}-dlq` }));
    const dlqUrl = required(dlq.QueueUrl, 'CreateQueue returned no QueueUrl for the DLQ');
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
    );
    const dlqArn = required(Attributes?.QueueArn, 'GetQueueAttributes returned no QueueArn for the DLQ');
    const queue = await client.send(
      new CreateQueueCommand({
        QueueName: baseName,
        Attributes: {
          VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? defaultVisibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqArn,
            maxReceiveCount: workQueueMaxReceiveCount,
          }),
        },
      }),
    );
    return { queueUrl: required(queue.QueueUrl, 'CreateQueue returned no QueueUrl'), dlqUrl };
  } finally {
    client.destroy();
  }
}

/**
 * The environment variables through which a handler finds the local resources. One definition, so the
 * local stack and the integration tests cannot disagree on the names.
 */
export function handlerEnvironment(resources: LocalResources): Record<string, string> {
  return {
    PAYMENTS_TABLE_NAME: resources.tableName,
    WORK_QUEUE_URL: resources.queueUrl,
    WORK_DLQ_URL: resources.dlqUrl,
    AWS_ENDPOINT_URL_DYNAMODB: resources.dynamodbEndpoint,
    AWS_ENDPOINT_URL_SQS: resources.sqsEndpoint,
    AWS_REGION: localRegion,
    // What a deployed function gets from its stack; locally the default prefix's service.
    POWERTOOLS_SERVICE_NAME: defaultServiceName,
  };
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('Emulator is not listening on TCP');
  return address.port;
}

function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // close() alone waits for keep-alive sockets held by SDK clients the tests never destroy.
    server.closeAllConnections();
  });
}

function required(value: string | undefined, message: string): string {
  if (value === undefined) throw new Error(message);
  return value;
}
