import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { LambdaName } from '../functions/routes';
import { ALARM_EMAIL_PATTERN } from './alarm-topic';
import { serviceNameFor } from './deployment-names';
import { deploymentSettings, type PaymentsSettings, propLabel } from './deployment-settings';
import { PaymentsApi } from './payments-api';
import { PaymentsData } from './payments-data';
import type { PaymentsFunction } from './payments-function';

/** The name every copy starts with unless `prefix` says otherwise (our own app's default stack prefix). */
export const DEFAULT_PREFIX = 'AltaPay';

export interface AltaPayPaymentsProps extends PaymentsSettings {
  /**
   * Names this copy: its secrets are `<prefix>/altapay/...` and its functions' metrics service
   * `<prefix>-payments` (lower case), so several copies can share an account; default `AltaPay`.
   */
  readonly prefix?: string;
  /**
   * The table, queues and secrets, made with `new PaymentsData(...)` in a stack of their own (they are
   * retained and should outlive any redeploy); default: made inside this construct.
   */
  readonly data?: PaymentsData;
  /** An SNS topic of yours every alarm notifies; default: an encrypted topic of its own. */
  readonly alarmTopic?: ITopic;
  /**
   * Where that topic of its own e-mails alarms; default: the stack parameter `AlarmEmail`
   * (`cdk deploy --parameters AlarmEmail=ops@shop.dk`). Not with `alarmTopic`.
   */
  readonly alarmEmail?: string;
}

/**
 * The whole product in one construct, for a merchant's own CDK app: `new AltaPayPayments(this,
 * 'Payments', { altapayGatewayUrl, altapayTerminal })` in any stack. It is what our two stacks deploy
 * (infra/payments-app.ts builds them from the same two constructs, `PaymentsData` and `PaymentsApi`),
 * with every setting a typed prop checked at synth. The cdk-nag acknowledgements sit on the resources
 * they excuse, so they travel with it into the host app. One per stack: the API, the dashboard and the
 * callback rejection metrics are named after the stack.
 */
export class AltaPayPayments extends Construct {
  /** The table, queues and secrets (the `data` prop, or the ones made here). */
  readonly data: PaymentsData;
  /** The functions, the REST API, the schedules and the operations part. */
  readonly payments: PaymentsApi;
  /** The payments REST API (stage `v1`); its callback URLs are this construct's outputs. */
  readonly api: RestApi;
  readonly table: ITableV2;
  readonly workQueue: IQueue;
  readonly workDeadLetterQueue: IQueue;
  /** The topic every alarm notifies. */
  readonly alarmTopic: ITopic;
  readonly functions: Readonly<Record<LambdaName, PaymentsFunction>>;
  /** The EventBridge bus the worker puts every merchant event on; undefined without `eventBus`. */
  readonly eventBus?: IEventBus;

  constructor(scope: Construct, id: string, props: AltaPayPaymentsProps) {
    super(scope, id);
    const { prefix = DEFAULT_PREFIX, data, alarmTopic, alarmEmail, ...input } = props;
    // Checked before any resource exists, so a bad value stops synth with its own message.
    const settings = deploymentSettings(input, propLabel);
    if (!/^[A-Za-z][A-Za-z0-9-]{0,39}$/.test(prefix)) {
      throw new Error(
        `${propLabel('prefix')} must start with a letter and hold letters, digits and - (40 at most), like Shop, not ${JSON.stringify(prefix)}`,
      );
    }
    if (alarmTopic !== undefined && alarmEmail !== undefined) {
      throw new Error(
        `${propLabel('alarmTopic')} and ${propLabel('alarmEmail')} are both set: subscribe the e-mail to your topic instead`,
      );
    }
    if (alarmEmail !== undefined && !new RegExp(ALARM_EMAIL_PATTERN).test(alarmEmail)) {
      throw new Error(
        `${propLabel('alarmEmail')} must be one e-mail address, not ${JSON.stringify(alarmEmail)}`,
      );
    }

    this.data = data ?? new PaymentsData(this, 'Data', { secretNamePrefix: prefix });
    this.payments = new PaymentsApi(this, 'Api', {
      table: this.data.table,
      workQueue: this.data.workQueue,
      workDeadLetterQueue: this.data.workDeadLetterQueue,
      secrets: this.data.secrets,
      settings,
      serviceName: serviceNameFor(prefix),
      ...(alarmTopic === undefined ? {} : { alarmTopic }),
      ...(alarmEmail === undefined ? {} : { alarmEmail }),
    });
    this.api = this.payments.api;
    this.table = this.data.table;
    this.workQueue = this.data.workQueue;
    this.workDeadLetterQueue = this.data.workDeadLetterQueue;
    this.alarmTopic = this.payments.operations.topic;
    this.functions = this.payments.functions;
    if (settings.eventBus !== undefined) {
      this.eventBus = settings.eventBus.startsWith('arn:')
        ? EventBus.fromEventBusArn(this, 'EventBus', settings.eventBus)
        : EventBus.fromEventBusName(this, 'EventBus', settings.eventBus);
    }
  }
}
