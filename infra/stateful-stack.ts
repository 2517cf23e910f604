import { Stack, type StackProps } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { PaymentsData, type PaymentsDataProps } from './payments-data';
import type { PaymentSecretName } from './secrets';

export type StatefulStackProps = StackProps & PaymentsDataProps;

/**
 * Our own app's stack of `PaymentsData` (the table, the work queues, the secrets), kept apart from the
 * functions and the API so that redeploying or deleting those never touches stored data.
 */
export class StatefulStack extends Stack {
  readonly data: PaymentsData;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    // Id `Default`: CDK leaves it out of logical IDs, so the resources keep the IDs they had when they
    // were the stack's own children (a changed ID would replace the table).
    this.data = new PaymentsData(this, 'Default', props);
  }

  get table(): TableV2 {
    return this.data.table;
  }

  get workQueue(): Queue {
    return this.data.workQueue;
  }

  get workDeadLetterQueue(): Queue {
    return this.data.workDeadLetterQueue;
  }

  get secrets(): Readonly<Record<PaymentSecretName, Secret>> {
    return this.data.secrets;
  }
}
