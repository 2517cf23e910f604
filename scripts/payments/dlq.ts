/**
 * The work queue's dead-letter queue: what the worker parked and why (the `failureReason`, `attempts`
 * and `failedAt` attributes adapters/sqs/work-queue.ts puts on each message), and moving it back.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { decodeFormBody } from '../../shared/altapay/form-body';
import type { Command } from './command';
import { CliError, UsageError } from './errors';
import { none, parseCount, table } from './format';
import type { Target } from './target';

/** A parked message as the CLI shows it. */
export interface ParkedMessage {
  readonly messageId: string;
  readonly failureReason?: string;
  readonly attempts?: string;
  readonly failedAt?: string;
  /** `payment-work`, `sealed-callback`, `callback` (the old raw format), or undefined for a message that is not one of ours. */
  readonly kind?: string;
  readonly shopOrderId?: string;
  readonly workId?: string;
  readonly body: string;
}

interface Held extends ParkedMessage {
  readonly receiptHandle: string;
}

const redriveHint = 'npm run payments -- dlq redrive --all (or --id <message id>)';

/** `dlq list`: peeks at the parked messages and leaves them where they are. */
export const dlqListCommand: Command = {
  name: 'dlq list',
  summary: 'the work parked in the dead-letter queue, with the reasons',
  usage: `Usage: npm run payments -- dlq list [--limit <n>] [--json]

Shows the messages in the work queue's dead-letter queue: message id, when and after how many
attempts the worker parked it, what it is about (work id and order), and why. The messages are only
looked at: each is received and made visible again at once, so they stay in the queue.

  --limit <n>   at most n messages (default 100)
  --json        a JSON array, one object per message (with its body)`,
  options: ['limit', 'json'],
  async run({ target, options, args, out }) {
    if (args.length > 0) throw new UsageError(`unexpected argument '${args[0]}'`, 'dlq list');
    const limit = parseCount(options.limit ?? '100', '--limit', 'dlq list');
    const dlqUrl = await target.dlqUrl();
    const held = await receiveAll(target, dlqUrl, limit);
    await release(target, dlqUrl, held);
    const parked = held.map(({ receiptHandle: _, ...message }) => message);
    if (options.json) {
      out(JSON.stringify(parked, null, 2));
      return 0;
    }
    if (parked.length === 0) {
      out('The dead-letter queue is empty.');
      return 0;
    }
    for (const line of table(
      ['message id', 'failed at', 'attempts', 'kind', 'order', 'work', 'reason'],
      parked.map(row),
    )) {
      out(line);
    }
    out('');
    out(
      `${parked.length} message(s) parked${parked.length === limit ? ` (the first ${limit}; --limit shows more)` : ''}. After fixing the cause: ${redriveHint}`,
    );
    return 0;
  },
};

/** `dlq redrive`: moves parked messages back to the work queue (send, then delete). */
export const dlqRedriveCommand: Command = {
  name: 'dlq redrive',
  summary: 'move parked work back to the work queue',
  usage: `Usage: npm run payments -- dlq redrive (--all | --id <message id> [--id <message id>...])

Moves messages from the dead-letter queue back to the work queue: each is sent to the work queue
with the same body, then deleted from the dead-letter queue. The worker carries on where the work
record left off (a step done is not done again). Fix the cause first (see dlq list), or the work is
parked again.

  --all              every message in the dead-letter queue
  --id <message id>  only this one (repeat for more); ids as dlq list shows them`,
  options: ['all', 'id'],
  async run({ target, options, args, out, note }) {
    if (args.length > 0) throw new UsageError(`unexpected argument '${args[0]}'`, 'dlq redrive');
    if (options.all && options.id.length > 0)
      throw new UsageError('use --all or --id, not both', 'dlq redrive');
    if (!options.all && options.id.length === 0) {
      throw new UsageError(
        'say which messages to move back to the work queue: --all, or --id <message id> (see dlq list)',
        'dlq redrive',
      );
    }
    const [queueUrl, dlqUrl] = [await target.queueUrl(), await target.dlqUrl()];
    // Long enough to send and delete every message before another reader could see it.
    const held = await receiveAll(target, dlqUrl, 10_000, 300);
    const wanted = new Set(options.id);
    const selected = options.all ? held : held.filter((m) => wanted.has(m.messageId));
    const moved: Held[] = [];
    let failure: unknown;
    try {
      for (const message of selected) {
        // Send first: a failure in between leaves a copy in both queues, which the worker deduplicates.
        await target.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: message.body }));
        await target.sqs.send(
          new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: message.receiptHandle }),
        );
        moved.push(message);
      }
    } catch (error) {
      // Reported after what did move, so the operator knows where each message is.
      failure = error;
    } finally {
      await release(
        target,
        dlqUrl,
        held.filter((m) => !moved.includes(m)),
      );
    }
    if (held.length === 0 && options.all) {
      out('The dead-letter queue is empty: nothing to move.');
      return 0;
    }
    if (moved.length > 0) {
      out(`Moved ${moved.length} message(s) from the dead-letter queue to the work queue:`);
      const rows = moved.map((m) => [
        m.messageId,
        m.kind ?? 'unknown',
        m.shopOrderId ?? none,
        m.workId ?? none,
        m.failureReason ?? none,
      ]);
      for (const line of table(['message id', 'kind', 'order', 'work', 'it was parked for'], rows, '  '))
        out(line);
    }
    if (failure !== undefined) throw failure;
    const poison = moved.filter((m) => m.failureReason?.startsWith('Not a work message')).length;
    if (poison > 0) {
      note(
        `payments: ${poison} of them ${poison === 1 ? 'is' : 'are'} not a work message: the worker parks ${poison === 1 ? 'it' : 'them'} again at once (delete in the SQS console instead)`,
      );
    }
    const missing = options.id.filter((id) => !held.some((m) => m.messageId === id));
    if (missing.length > 0) {
      note(`payments: not in the dead-letter queue (moved already, or a wrong id): ${missing.join(', ')}`);
      return 1;
    }
    return 0;
  },
};

function row(m: ParkedMessage): string[] {
  return [
    m.messageId,
    m.failedAt ?? none,
    m.attempts ?? none,
    m.kind ?? 'unknown',
    m.shopOrderId ?? none,
    m.workId ?? none,
    m.failureReason ?? '(no reason: moved by SQS itself, not by the worker)',
  ];
}

/**
 * Receives up to `limit` messages, holding each invisible for `visibilitySeconds` so that none is
 * received twice, until the queue has no more visible ones.
 */
async function receiveAll(
  target: Target,
  queueUrl: string,
  limit: number,
  visibilitySeconds = 30,
): Promise<Held[]> {
  const held = new Map<string, Held>();
  while (held.size < limit) {
    const { Messages = [] } = await target.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, limit - held.size),
        // SQS's short poll samples some of its servers and can miss messages; a 1 s long poll asks them
        // all. The emulator has one server.
        WaitTimeSeconds: target.local ? 0 : 1,
        VisibilityTimeout: visibilitySeconds,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) break;
    for (const message of Messages) {
      const parked = describeMessage(message);
      if (parked) held.set(parked.messageId, parked);
    }
  }
  return [...held.values()];
}

/** Makes held messages visible again at once (the peek's second half). */
async function release(target: Target, queueUrl: string, messages: readonly Held[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const batch = messages.slice(i, i + 10);
    const { Failed = [] } = await target.sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((m, j) => ({
          Id: String(j),
          ReceiptHandle: m.receiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
    if (Failed.length > 0) {
      throw new CliError(
        `Could not make ${Failed.length} message(s) visible again; they reappear by themselves within minutes`,
      );
    }
  }
}

function describeMessage(message: Message): Held | undefined {
  if (message.MessageId === undefined || message.ReceiptHandle === undefined) return undefined;
  const attribute = (name: string) => message.MessageAttributes?.[name]?.StringValue;
  const body = message.Body ?? '';
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    ...defined({
      failureReason: attribute('failureReason'),
      attempts: attribute('attempts'),
      failedAt: attribute('failedAt'),
    }),
    ...aboutBody(body),
    body,
  };
}

/** What a body is about: the work's ids, or for a queued callback its order (read, not verified). */
function aboutBody(body: string): { kind?: string; shopOrderId?: string; workId?: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return {};
  }
  if (typeof json !== 'object' || json === null) return {};
  const field = (name: string) => {
    const value: unknown = (json as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  };
  const kind = field('kind');
  if (kind === 'sealed-callback') {
    let shopOrderId: unknown;
    try {
      shopOrderId = (JSON.parse(field('callback') ?? '') as Record<string, unknown>).shopOrderId;
    } catch {
      shopOrderId = undefined;
    }
    return defined({ kind, shopOrderId: typeof shopOrderId === 'string' ? shopOrderId : undefined });
  }
  if (kind === 'callback') {
    const form = field('body');
    let shopOrderId: string | undefined;
    try {
      shopOrderId =
        form === undefined ? undefined : decodeFormBody(Buffer.from(form, 'base64')).get('shop_orderid');
    } catch {
      shopOrderId = undefined;
    }
    return defined({ kind, shopOrderId });
  }
  return defined({ kind, shopOrderId: field('shopOrderId'), workId: field('workId') });
}

function defined<T extends Record<string, string | undefined>>(record: T): Partial<Record<keyof T, string>> {
  const result: Partial<Record<keyof T, string>> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value !== undefined) result[key as keyof T] = value;
  }
  return result;
}
