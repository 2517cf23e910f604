import type { Alarm, Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { alarmTopic } from './alarm-topic';
import { addAlarms, type WatchedResources } from './alarms';
import { addDashboard } from './dashboard';

export type OperationsProps = WatchedResources;

/**
 * What an operator needs: an SNS topic that e-mails the `AlarmEmail` parameter (alarm-topic.ts), alarms
 * whose descriptions say what to do (alarms.ts), and one dashboard (dashboard.ts).
 */
export class Operations extends Construct {
  readonly topic: Topic;
  readonly alarms: readonly Alarm[];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.topic = alarmTopic(this);
    this.alarms = addAlarms(this, this.topic, props);
    this.dashboard = addDashboard(this, props, this.alarms);
  }
}
