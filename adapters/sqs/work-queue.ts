import { SendMessageCommand, type SendMessageCommandInput, type SQSClient } from '@aws-sdk/client-sqs';
import { DependencyError } from '../../shared/errors';
import type { PaymentWork } from '../../shared/payments/payment';
import type { DeadLetterQueue, SealedCallback, WorkQueue } from '../../shared/ports';
import type { WorkMessage } from '../../shared/worker/work-message';

/** Sends one message; any failure becomes a DependencyError (503: sending again is harmless). */
async function send(client: SQSClient, what: string, input: SendMessageCommandInput): Promise<void> {
  try {
    await client.send(new SendMessageCommand(input));
  } catch (error) {
    throw new DependencyError('work-queue', `Could not ${what}.`, { cause: error });
  }
}

/** WorkQueue on an SQS standard queue. Delivery is at least once; the worker deduplicates on workId. */
export class SqsWorkQueue implements WorkQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  enqueue(work: PaymentWork): Promise<void> {
    return this.send('queue the work', { kind: 'payment-work', ...work });
  }

  enqueueCallback(callback: SealedCallback): Promise<void> {
    return this.send('queue the callback', { kind: 'sealed-callback', ...callback });
  }

  private send(what: string, message: WorkMessage): Promise<void> {
    return send(this.client, what, { QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message) });
  }
}

/** The work queue's dead-letter queue: the message as it was, and why it was parked, as attributes. */
export class SqsDeadLetterQueue implements DeadLetterQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async park(messageBody: string, reason: string, attempts: number): Promise<void> {
    await send(this.client, 'park the message', {
      QueueUrl: this.queueUrl,
      MessageBody: messageBody,
      MessageAttributes: {
        // SQS attribute values are limited to 256 KiB; a reason is one line.
        failureReason: { DataType: 'String', StringValue: reason.slice(0, 1000) },
        failedAt: { DataType: 'String', StringValue: new Date().toISOString() },
        attempts: { DataType: 'Number', StringValue: String(attempts) },
      },
    });
  }
}
