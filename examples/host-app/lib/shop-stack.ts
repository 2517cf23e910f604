import { AltaPayPayments, type AltaPayPaymentsProps } from 'altapay-serverless';
import { Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

export interface ShopStackProps extends StackProps {
  /** The gateway, the terminal, the shop's domain...; the alarms go to the stack's own topic. */
  readonly payments: Omit<AltaPayPaymentsProps, 'alarmTopic' | 'alarmEmail'>;
}

/**
 * A shop's own stack: its operations topic (which already pages someone), and AltaPay payments beside
 * it, on the shop's domain, every alarm going to that topic.
 */
export class ShopStack extends Stack {
  readonly alarmTopic: Topic;
  readonly payments: AltaPayPayments;

  constructor(scope: Construct, id: string, props: ShopStackProps) {
    super(scope, id, props);
    this.alarmTopic = new Topic(this, 'OperationsAlarms', { enforceSSL: true });
    // Once the topic has a policy of its own (enforceSSL makes one), CloudWatch's right to publish must be
    // stated: this account's alarms only.
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*`,
          },
        },
      }),
    );

    this.payments = new AltaPayPayments(this, 'Payments', { ...props.payments, alarmTopic: this.alarmTopic });
  }
}
