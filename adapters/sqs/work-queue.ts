import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { PaymentWork } from '../../shared/payments/payment';
import type { DeadLetterQueue, QueuedCallback, WorkQueue } from '../../shared/ports';
import type { WorkMessage } from '../../shared/worker/work-message';

/** WorkQueue on an SQS standard queue. Delivery is at least once; the worker deduplicates on workId. */
export class SqsWorkQueue implements WorkQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  enqueue(work: PaymentWork): Promise<void> {
    return this.send({ kind: 'payment-work', ...work });
  }

  enqueueCallback(callback: QueuedCallback): Promise<void> {
    return this.send({ kind: 'callback', ...callback });
  }

  private async send(message: WorkMessage): Promise<void> {
    await this.client.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message) }),
    );
  }
}

/** The work queue's dead-letter queue: the message as it was, and why it was parked, as attributes. */
export class SqsDeadLetterQueue implements DeadLetterQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async park(messageBody: string, reason: string, attempts: number): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: messageBody,
        MessageAttributes: {
          // SQS attribute values are limited to 256 KiB; a reason is one line.
          failureReason: { DataType: 'String', StringValue: reason.slice(0, 1000) },
          failedAt: { DataType: 'String', StringValue: new Date().toISOString() },
          attempts: { DataType: 'Number', StringValue: String(attempts) },
        },
      }),
    );
  }
}
