import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { paymentsTable } from '../adapters/dynamodb/payments-table';
import { lambdas } from '../functions/routes';
import { pascalCase } from './names';
import { type PaymentSecretName, paymentSecretNames, paymentSecrets } from './secrets';

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
 * What CloudFormation does with the table, the work queues and the secrets when they leave the template or the stack is
 * deleted: keep them (`Retain`), except when the create that made them fails and rolls back
 * (`RetainExceptOnCreate`). Plain `Retain` would keep a secret made by a failed first deploy, and its
 * fixed name would then fail every retry with "already exists".
 */
export const STATEFUL_REMOVAL_POLICY = RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;

export interface PaymentsDataProps {
  /** Starts every secret's name (`<prefix>/altapay/api`), so several copies can share an account. */
  readonly secretNamePrefix: string;
}

/**
 * Everything that holds data: the payments table, the work queue with its dead-letter queue, and the
 * secrets the merchant sets by hand. A construct of its own so it can live in a long-lived stack apart
 * from the functions and the API: redeploying or even deleting those never touches stored payments,
 * queued work or configured secrets.
 */
export class PaymentsData extends Construct {
  readonly table: TableV2;
  readonly workQueue: Queue;
  readonly workDeadLetterQueue: Queue;
  readonly secrets: Readonly<Record<PaymentSecretName, Secret>>;

  constructor(scope: Construct, id: string, props: PaymentsDataProps) {
    super(scope, id);
    const { region } = Stack.of(this);

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
      // Two locks: the API refuses DeleteTable, and removing the resource from CloudFormation keeps it
      // (except when the create that made it rolls back: nothing is stored yet, and a retry starts clean).
      deletionProtection: true,
      removalPolicy: STATEFUL_REMOVAL_POLICY,
    });

    this.workDeadLetterQueue = new Queue(this, 'WorkDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The SQS maximum: time to notice, fix and redrive failed work.
      retentionPeriod: Duration.days(14),
      // Parked work is kept for an operator, like the table's data.
      removalPolicy: STATEFUL_REMOVAL_POLICY,
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
      // Queued work is payments not yet recorded: never deleted with the template.
      removalPolicy: STATEFUL_REMOVAL_POLICY,
    });

    this.secrets = Object.fromEntries(
      paymentSecretNames.map((name) => [name, this.paymentSecret(name, props.secretNamePrefix)]),
    ) as Record<PaymentSecretName, Secret>;

    new CfnOutput(this, 'PaymentsTableName', {
      value: this.table.tableName,
      description: 'The payments table: one partition per shop order (Query shopOrderId = <order id>)',
    });
    new CfnOutput(this, 'PaymentsTableConsoleUrl', {
      value:
        `https://${region}.console.aws.amazon.com/dynamodbv2/home?region=${region}` +
        `#item-explorer?table=${this.table.tableName}`,
      description: 'The payments table in the DynamoDB console: Query shopOrderId = <order id>',
    });
  }

  /**
   * One secret of `paymentSecrets`, created with a generated value (never one from the template) and
   * kept when the stack or the resource goes: the merchant's credentials must outlive any deployment.
   */
  private paymentSecret(name: PaymentSecretName, prefix: string): Secret {
    const spec = paymentSecrets[name];
    const secretName = `${prefix}/${spec.nameSuffix}`;
    const secret = new Secret(this, `${pascalCase(name)}Secret`, {
      secretName,
      description: spec.description,
      generateSecretString: {
        secretStringTemplate: JSON.stringify(spec.generate.template),
        generateStringKey: spec.generate.generatedKey,
        passwordLength: spec.generate.length,
        // Letters and digits only: pasted into AltaPay's settings or a shell without quoting surprises.
        excludePunctuation: true,
        includeSpace: false,
      },
      removalPolicy: STATEFUL_REMOVAL_POLICY,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'No rotation Lambda: the value is issued by AltaPay (the API user, the terminal secret) or shared ' +
        "with the merchant's systems (the webhook signing key, the shop's order key), so Secrets Manager " +
        'cannot change it alone. Rotation is a manual two-step (README, Deploy): put the new value, restart ' +
        'the functions that read it (context secretsVersion); for the callback secret (previousSecret) and ' +
        'the shop key (previousKey) the old value stays accepted until AltaPay or the shop uses the new ' +
        'one, so nothing is refused meanwhile.',
    });
    // The literal name: `secret.secretName` would cut it out of the ARN at the first '-' of the prefix.
    new CfnOutput(this, `${pascalCase(name)}SecretName`, {
      value: secretName,
      description: spec.hint,
    });
    return secret;
  }
}
