import { CfnParameter, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';

/** What `AlarmEmail` (and an `alarmEmail` prop) must look like: one e-mail address. */
export const ALARM_EMAIL_PATTERN = '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$';

/**
 * The SNS topic every alarm notifies: encrypted, CloudWatch alarms of this account the only publisher,
 * and an e-mail subscription to `email`, or to the stack's `AlarmEmail` parameter when none is given.
 */
export function alarmTopic(scope: Construct, email?: string): Topic {
  const stack = Stack.of(scope);
  // A parameter, not context: `cdk deploy --parameters <stack>:AlarmEmail=...`, and CloudFormation keeps
  // it for later deploys. At stack level so its name is exactly `AlarmEmail`.
  const alarmEmail =
    email ??
    new CfnParameter(stack, 'AlarmEmail', {
      type: 'String',
      description: 'Where alarms are e-mailed; confirm the subscription in the e-mail AWS sends',
      allowedPattern: ALARM_EMAIL_PATTERN,
      constraintDescription: 'must be one e-mail address',
    }).valueAsString;

  // A customer managed key, because CloudWatch cannot publish to a topic encrypted with the AWS managed
  // key alias/aws/sns (that key's policy cannot be given to cloudwatch.amazonaws.com).
  const key = new Key(scope, 'AlarmTopicKey', {
    description: `${stack.stackName}: encrypts alarm notifications`,
    enableKeyRotation: true,
    // It protects transient notifications only; nothing is left to decrypt once the topic is gone.
    removalPolicy: RemovalPolicy.DESTROY,
    pendingWindow: Duration.days(7),
  });
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'CloudWatchAlarmsPublishEncrypted',
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      // In a key policy, '*' is this key.
      resources: ['*'],
    }),
  );
  const topic = new Topic(scope, 'AlarmTopic', {
    displayName: 'AltaPay payments alarms',
    masterKey: key,
    enforceSSL: true,
  });
  // A topic policy replaces SNS's default one, so CloudWatch's right to publish is stated: alarms of
  // this account only (confused-deputy guard).
  topic.addToResourcePolicy(
    new PolicyStatement({
      sid: 'CloudWatchAlarmsPublish',
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        ArnLike: {
          'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
        },
      },
    }),
  );
  const subscription = topic.addSubscription(new EmailSubscription(alarmEmail));
  Validations.of(subscription).acknowledge({
    id: 'Serverless-SNSRedrivePolicy',
    reason:
      'An e-mail subscription for alarms: a dead-letter queue would hold undelivered alarm e-mails where ' +
      'nobody looks (an alarm on it could only e-mail the same address). The alarms stay visible in ' +
      'CloudWatch and on the dashboard whatever happens to the e-mail.',
  });

  return topic;
}
