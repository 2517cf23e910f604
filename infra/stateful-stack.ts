import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { paymentsTable } from '../adapters/dynamodb/payments-table';
import { lambdas } from '../functions/routes';

/**
 * AWS recommends a visibility timeout of six times the consumer's timeout, so that a message is not
 * handed to a second worker while the first one (including its retries) is still busy with it.
 */
export const WORK_QUEUE_VISIBILITY_FACTOR = 6;

/**
 * How often a message is received before SQS parks it on the dead-letter queue. The worker reads the same
 * number (`WORK_MAX_ATTEMPTS`) to park a message itself, with the reason attached, on its last attempt.
 */
export const WORK_QUEUE_MAX_RECEIVE_COUNT = 5;

/**
 * Everything that holds data: the payments table and the work queue with its dead-letter queue.
 * Kept apart from the functions and the API so that redeploying or even deleting the stateless
 * stack never touches stored payments or queued work.
 */
export class StatefulStack extends Stack {
  readonly table: TableV2;
  readonly workQueue: Queue;
  readonly workDeadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.table = new TableV2(this, 'PaymentsTable', {
      partitionKey: { name: paymentsTable.partitionKey, type: AttributeType.STRING },
      sortKey: { name: paymentsTable.sortKey, type: AttributeType.STRING },
      globalSecondaryIndexes: [paymentsTable.statusIndex, paymentsTable.pendingWorkIndex].map((index) => ({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      })),
      // Callback traffic is spiky and small; on-demand needs no capacity planning.
      billing: Billing.onDemand(),
      // Payment records are evidence: restore to any second of the last 35 days.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // An AWS-owned key would hide key usage from CloudTrail; a customer key adds cost and key policy.
      encryption: TableEncryptionV2.awsManagedKey(),
      // Two locks: the API refuses DeleteTable, and removing the resource from CloudFormation keeps it.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.workDeadLetterQueue = new Queue(this, 'WorkDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The SQS maximum: time to notice, fix and redrive failed work.
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.workDeadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This queue is the dead-letter queue of the work queue; a redrive policy on it would only move ' +
        'failed work one queue further. Its messages are redriven by an operator after a fix.',
    });

    this.workQueue = new Queue(this, 'WorkQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // From the worker's own spec, so raising its timeout cannot leave the queue handing its messages to a
      // second worker while the first is still busy.
      visibilityTimeout: Duration.seconds(
        lambdas['payment-worker'].timeoutSeconds * WORK_QUEUE_VISIBILITY_FACTOR,
      ),
      deadLetterQueue: { queue: this.workDeadLetterQueue, maxReceiveCount: WORK_QUEUE_MAX_RECEIVE_COUNT },
    });
  }
}
