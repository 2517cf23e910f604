/**
 * What Lambda's SQS event source mapping does, for the local stack: long-polls a queue, hands each
 * batch to the handler as a real `SQSEvent`, and deletes the messages the handler did not report in
 * `batchItemFailures` (partial batch response). A handler that throws or times out gets the whole
 * batch back, as on AWS; failed messages return after the queue's visibility timeout, and the queue's
 * redrive policy still applies.
 *
 * One poller, one batch at a time: enough locally, and it keeps the order of events easy to follow.
 * A batch is what one receive returns; local-aws-sqs spends the whole WaitTimeSeconds (1 s) filling
 * it, which is about what the route table's one-second batching window does on AWS.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { LambdaSpec } from '../functions/routes';
import { fakeCredentials } from './emulators';
import type { UntypedHandler } from './lambda-loader';
import { localFunction } from './lambda-runtime';

export interface SqsEventSourceOptions {
  /** The function the mapping invokes (name, timeout and memory go into its Context). */
  readonly lambda: Pick<LambdaSpec, 'name' | 'timeoutSeconds' | 'memoryMb'>;
  /** Loads the handler; called on the first batch (a cold start), and again after a failed load. */
  readonly loadHandler: () => Promise<UntypedHandler>;
  readonly queueUrl: string;
  /** The SQS endpoint the mapping itself polls (the Lambda service's view, not the handler's). */
  readonly sqsEndpoint: string;
  readonly region: string;
  /** At most this many messages per batch (SQS allows 1–10 per receive). */
  readonly batchSize: number;
  /** Pause after a failed poll or delete; default 1000 ms. */
  readonly errorBackoffMs?: number;
  /** One line per batch that returns messages to the queue, and per problem; silent when absent. */
  readonly log?: (line: string) => void;
}

/** What the event source has done so far, for tests and the log. */
export interface SqsEventSourceStats {
  /** Receives that completed (with or without messages). */
  readonly polls: number;
  /** Handler invocations. */
  readonly batches: number;
  readonly received: number;
  /** Messages deleted after the handler succeeded with them. */
  readonly deleted: number;
  /** Messages left on the queue for a retry (reported, or their batch failed). */
  readonly returned: number;
  /** Failed polls and deletes (a failed batch counts in `returned`). */
  readonly errors: number;
}

/** The outcome of one invocation, for `onBatch` listeners. */
export interface BatchOutcome {
  readonly messageIds: readonly string[];
  /** The ids left on the queue for a retry. */
  readonly failedIds: readonly string[];
  /** Set when the whole batch failed: the handler threw, timed out or answered nonsense. */
  readonly error?: string;
}

/** A running queue poller. */
export interface SqsEventSource {
  /** The function it invokes. */
  readonly lambda: string;
  readonly queueUrl: string;
  readonly stats: SqsEventSourceStats;
  /**
   * Resolves at the end of the first poll that starts after this call and finds no visible message
   * (so no invocation is running either). Messages waiting out a visibility timeout are not seen.
   */
  idle(): Promise<void>;
  /** Called after each invocation; returns a function that removes the listener. */
  onBatch(listener: (outcome: BatchOutcome) => void): () => void;
  /** Stops polling (the running poll, at most 1 s, and batch finish first) until `resume()`. */
  pause(): Promise<void>;
  resume(): void;
  /**
   * Stops for good: aborts the long poll (a message it was about to get comes back after the
   * visibility timeout) and waits briefly for a running batch. Safe to call twice.
   */
  stop(): Promise<void>;
}

/** How long `stop()` waits for a running batch before giving up on it. */
const stopGraceMs = 2_000;

/** Starts polling `queueUrl` at once. */
export async function startSqsEventSource(options: SqsEventSourceOptions): Promise<SqsEventSource> {
  const log = options.log ?? (() => {});
  const errorBackoffMs = options.errorBackoffMs ?? 1_000;
  const client = new SQSClient({
    region: options.region,
    endpoint: options.sqsEndpoint,
    credentials: fakeCredentials,
    // The poller retries by polling again; the SDK's own retries would only delay stop().
    maxAttempts: 1,
  });
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: options.queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn = Attributes?.QueueArn;
  if (queueArn === undefined) throw new Error(`No QueueArn for ${options.queueUrl}`);

  const stats = { polls: 0, batches: 0, received: 0, deleted: 0, returned: 0, errors: 0 };
  const idleWaiters: { afterPoll: number; resolve: () => void }[] = [];
  const batchListeners = new Set<(outcome: BatchOutcome) => void>();
  let pollsStarted = 0;
  const invokeHandler = localFunction(options.lambda, options.loadHandler);
  let stopped = false;
  let paused:
    | { resumed: Promise<void>; resume: () => void; parked: () => void; isParked: Promise<void> }
    | undefined;
  // Aborts the current long poll or back-off; replaced for each wait.
  let interrupt = new AbortController();

  const problem = (what: string, error: unknown, then: string) => {
    stats.errors++;
    log(`[${options.lambda.name}] ${what}: ${oneLine(error)}; ${then}`);
  };

  const poll = async (): Promise<Message[]> => {
    interrupt = new AbortController();
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: options.batchSize,
        WaitTimeSeconds: 1,
        // local-aws-sqs ignores MessageSystemAttributeNames; 'All' is how to get ApproximateReceiveCount.
        AttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: interrupt.signal },
    );
    // local-aws-sqs keeps collecting for the whole wait and can hand out a message twice in one
    // receive when the visibility timeout is shorter than that; SQS never does. The last handle counts.
    return [...new Map(Messages.map((m) => [m.MessageId, m])).values()];
  };

  const invoke = async (messages: readonly Message[]): Promise<BatchOutcome> => {
    const event: SQSEvent = {
      Records: messages.map((m) => toRecord(m, queueArn, options.region)),
    };
    const messageIds = event.Records.map((r) => r.messageId);
    stats.batches++;
    try {
      const result = await invokeHandler(event);
      const failedIds = failuresOf(result, messageIds);
      if (failedIds === 'invalid') {
        return { messageIds, failedIds: messageIds, error: 'invalid partial batch response' };
      }
      return { messageIds, failedIds };
    } catch (error) {
      return { messageIds, failedIds: messageIds, error: oneLine(error) };
    }
  };

  const deleteSucceeded = async (messages: readonly Message[], failedIds: readonly string[]) => {
    const done = messages.filter((m) => !failedIds.includes(m.MessageId ?? ''));
    if (done.length === 0) return;
    try {
      const { Failed = [] } = await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
      stats.deleted += done.length - Failed.length;
      if (Failed.length > 0) {
        stats.errors++;
        log(
          `[${options.lambda.name}] ${Failed.length} processed messages could not be deleted; they will run again`,
        );
      }
    } catch (error) {
      // Like Lambda: the messages come back after the visibility timeout and run again.
      problem('deleting processed messages failed', error, 'they will run again');
    }
  };

  const settleIdleWaiters = (pollNumber: number) => {
    for (const waiter of [...idleWaiters]) {
      if (waiter.afterPoll >= pollNumber) continue;
      idleWaiters.splice(idleWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };

  const loop = async () => {
    while (!stopped) {
      if (paused) {
        paused.parked();
        await paused.resumed;
        continue;
      }
      const pollNumber = ++pollsStarted;
      let messages: Message[];
      try {
        messages = await poll();
      } catch (error) {
        // An aborted poll is pause() or stop(), not a problem.
        if (stopped || paused) continue;
        problem('polling the queue failed', error, `polling again in ${errorBackoffMs / 1000} s`);
        await sleep(errorBackoffMs, undefined, { signal: interrupt.signal }).catch(() => undefined);
        continue;
      }
      stats.polls++;
      if (messages.length === 0) {
        settleIdleWaiters(pollNumber);
        continue;
      }
      stats.received += messages.length;
      const outcome = await invoke(messages);
      stats.returned += outcome.failedIds.length;
      await deleteSucceeded(messages, outcome.failedIds);
      // Only what the handler's own log cannot say: a message off the queue may be done or parked in
      // the dead-letter queue (the worker says which); the event source sees neither.
      if (outcome.error)
        log(
          `[${options.lambda.name}] ${messages.length} message(s): the batch failed (${outcome.error}); all return to the queue`,
        );
      else if (outcome.failedIds.length > 0)
        log(
          `[${options.lambda.name}] ${outcome.failedIds.length} of ${messages.length} message(s) returned to the queue for a retry`,
        );
      for (const listener of batchListeners) listener(outcome);
    }
  };

  // The loop catches what it expects; anything else is one log line, never an unhandled rejection.
  const running = loop().catch((error: unknown) => {
    stats.errors++;
    log(`[${options.lambda.name}] the event source stopped: ${oneLine(error)}`);
  });

  let stopping: Promise<void> | undefined;
  return {
    lambda: options.lambda.name,
    queueUrl: options.queueUrl,
    stats,
    idle: () => new Promise((resolve) => idleWaiters.push({ afterPoll: pollsStarted, resolve })),
    onBatch(listener) {
      batchListeners.add(listener);
      return () => batchListeners.delete(listener);
    },
    async pause() {
      if (stopped) return;
      if (paused === undefined) {
        let resume = () => {};
        let parked = () => {};
        const resumed = new Promise<void>((resolve) => {
          resume = resolve;
        });
        const isParked = new Promise<void>((resolve) => {
          parked = resolve;
        });
        paused = { resumed, resume, parked, isParked };
        // The poll is not aborted: the emulator (like SQS) would still hand the messages to the closed
        // connection and hide them for a visibility timeout. It ends within WaitTimeSeconds.
      }
      // A running poll and batch finish first: after pause() nothing is in flight.
      await Promise.race([paused.isParked, running]);
    },
    resume() {
      const current = paused;
      paused = undefined;
      current?.resume();
    },
    stop() {
      stopping ??= (async () => {
        stopped = true;
        paused?.resume();
        interrupt.abort();
        // A handler cannot be killed: wait a little for it, then leave it to finish on its own.
        await Promise.race([running, sleep(stopGraceMs, undefined, { ref: false })]);
        client.destroy();
        for (const waiter of idleWaiters.splice(0)) waiter.resolve();
      })();
      return stopping;
    },
  };
}

/** One received message as Lambda puts it into `SQSEvent.Records`. */
function toRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const body = message.Body ?? '';
  const attributes = message.Attributes ?? {};
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = toRecordAttribute(value);
  }
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body,
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'AIDALOCALSENDER',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/** Lambda's casing: `stringValue`, `dataType`, and the (always empty) list values. */
function toRecordAttribute(value: MessageAttributeValue): SQSMessageAttributes[string] {
  return {
    dataType: value.DataType ?? 'String',
    ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
    ...(value.BinaryValue === undefined
      ? {}
      : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
    stringListValues: [],
    binaryListValues: [],
  };
}

/**
 * The ids to retry from a partial batch response. Like Lambda: no response (or no list) means all
 * succeeded; a response naming an unknown or empty id fails the whole batch.
 */
function failuresOf(result: unknown, messageIds: readonly string[]): string[] | 'invalid' {
  if (result === undefined || result === null) return [];
  if (typeof result !== 'object') return 'invalid';
  const failures: unknown = (result as Partial<SQSBatchResponse>).batchItemFailures;
  if (failures === undefined || failures === null) return [];
  if (!Array.isArray(failures)) return 'invalid';
  const ids: string[] = [];
  for (const failure of failures as unknown[]) {
    const id =
      typeof failure === 'object' && failure !== null ? Reflect.get(failure, 'itemIdentifier') : undefined;
    if (typeof id !== 'string' || !messageIds.includes(id)) return 'invalid';
    ids.push(id);
  }
  return ids;
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/\s*\n\s*/g, ' ');
}
