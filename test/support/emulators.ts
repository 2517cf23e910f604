import { randomUUID } from 'node:crypto';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll } from 'vitest';
import {
  createPaymentsTable,
  createWorkQueues,
  type Emulators,
  fakeCredentials,
  handlerEnvironment,
  type LocalResources,
  localRegion,
  startEmulators,
} from '../../local/emulators';

export interface EmulatorStack extends LocalResources {
  /** The env vars a handler needs to use this stack (`Object.assign(process.env, stack.env)` or `vi.stubEnv`). */
  readonly env: Record<string, string>;
}

/**
 * Starts the emulators with a fresh table and queue pair in `beforeAll` and stops them in `afterAll`.
 * Read the fields inside tests or hooks: they throw before `beforeAll` has run.
 */
export function useEmulators(): EmulatorStack {
  let emulators: Emulators | undefined;
  let resources: LocalResources | undefined;

  beforeAll(async () => {
    emulators = await startEmulators();
    // Unique names: local-aws-sqs, like SQS, refuses a queue name deleted less than 60 s ago.
    const suffix = randomUUID().slice(0, 8);
    const tableName = `payments-${suffix}`;
    await createPaymentsTable(emulators.dynamodbEndpoint, tableName);
    const queues = await createWorkQueues(emulators.sqsEndpoint, `payment-work-${suffix}`);
    resources = {
      dynamodbEndpoint: emulators.dynamodbEndpoint,
      sqsEndpoint: emulators.sqsEndpoint,
      tableName,
      ...queues,
    };
  });

  afterAll(async () => {
    await emulators?.stop();
  });

  const get = (): LocalResources => {
    if (resources === undefined) throw new Error('useEmulators(): read the stack inside a test or hook');
    return resources;
  };
  return {
    get dynamodbEndpoint() {
      return get().dynamodbEndpoint;
    },
    get sqsEndpoint() {
      return get().sqsEndpoint;
    },
    get tableName() {
      return get().tableName;
    },
    get queueUrl() {
      return get().queueUrl;
    },
    get dlqUrl() {
      return get().dlqUrl;
    },
    get env() {
      return handlerEnvironment(get());
    },
  };
}

/** A message taken off a queue by `receiveAllMessages`, with the attributes tests assert on. */
export interface ReceivedMessage {
  readonly body: string;
  readonly attributes: Record<string, string>;
  readonly messageAttributes: Record<string, string>;
}

/** Drains a queue (see `receiveAllMessages`) and returns just the message bodies, in the order received. */
export async function receiveAll(sqsEndpoint: string, queueUrl: string): Promise<string[]> {
  return (await receiveAllMessages(sqsEndpoint, queueUrl)).map((message) => message.body);
}

/**
 * Drains a queue: receives and deletes until a short poll comes back empty. Messages that are invisible
 * (received elsewhere and not yet timed out) are not waited for.
 */
export async function receiveAllMessages(sqsEndpoint: string, queueUrl: string): Promise<ReceivedMessage[]> {
  const client = new SQSClient({ region: localRegion, endpoint: sqsEndpoint, credentials: fakeCredentials });
  const received: ReceivedMessage[] = [];
  try {
    for (;;) {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          // local-aws-sqs ignores MessageSystemAttributeNames; 'All' is how to get ApproximateReceiveCount.
          AttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) return received;
      for (const message of Messages) {
        const messageAttributes: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
          if (value.StringValue !== undefined) messageAttributes[name] = value.StringValue;
        }
        received.push({
          body: message.Body ?? '',
          attributes: definedOnly(message.Attributes ?? {}),
          messageAttributes,
        });
      }
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
    }
  } finally {
    client.destroy();
  }
}

function definedOnly(record: Record<string, string | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(record)) {
    if (value !== undefined) result[name] = value;
  }
  return result;
}
