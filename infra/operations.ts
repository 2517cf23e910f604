import type { Alarm, Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { alarmTopic } from './alarm-topic';
import { addAlarms, type WatchedResources } from './alarms';
import { addDashboard } from './dashboard';

export interface OperationsProps extends WatchedResources {
  /** An SNS topic of the merchant's for the alarms; unset: one of its own (alarm-topic.ts). */
  readonly topic?: ITopic;
  /** Where that topic of its own e-mails alarms; unset: the stack's `AlarmEmail` parameter. */
  readonly email?: string;
}

/**
 * What an operator needs: an SNS topic (the merchant's, or one that e-mails `email` or the `AlarmEmail`
 * parameter: alarm-topic.ts), alarms
 * whose descriptions say what to do (alarms.ts), and one dashboard (dashboard.ts).
 */
export class Operations extends Construct {
  /** The topic every alarm notifies. */
  readonly topic: ITopic;
  /** The topic made here (with its key), when none was given. */
  readonly ownTopic?: Topic;
  readonly alarms: readonly Alarm[];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    if (props.topic === undefined) {
      this.ownTopic = alarmTopic(this, props.email);
      this.topic = this.ownTopic;
    } else {
      this.topic = props.topic;
    }
    this.alarms = addAlarms(this, this.topic, props);
    this.dashboard = addDashboard(this, props, this.alarms);
  }
}
