import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { PaymentWork } from '../../shared/payments/payment';
import type { WorkQueue } from '../../shared/ports';

/** WorkQueue on an SQS standard queue. Delivery is at least once; the worker deduplicates on workId. */
export class SqsWorkQueue implements WorkQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(work: PaymentWork): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify({ kind: 'payment-work', ...work }),
      }),
    );
  }
}
