import { CfnParameter, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { metricNames, metricsNamespace } from '../functions/metrics';
import { eventSources, type HttpRoute, httpRoutes, type LambdaName, lambdas } from '../functions/routes';
import { type CallbackType, callbackTypes } from '../shared/payments/payment';
import { pascalCase } from './names';
import { type PaymentsFunction, POWERTOOLS_SERVICE_NAME } from './payments-function';

/** The thresholds of the alarms that are not simply "any at all". */
const alarmThresholds = {
  /** Older work means the worker keeps failing it (or is not running): it should be done in seconds. */
  oldestWorkSeconds: 300,
  /**
   * A callback's handler time, p99. The gateway waits 5 s for a notification (and the customer waits on
   * ok/fail/open/verify-order); 3 s leaves room for API Gateway, a cold start and the network.
   */
  callbackLatencyP99Ms: 3_000,
} as const;

/** Every alarm and graph looks at 5-minute periods: short enough to act on, long enough to be cheap. */
const PERIOD = Duration.minutes(5);

/** The callback type a function publishes its metrics under (`callbackHandler('ok')`), if it publishes any. */
const callbackTypeOf = (lambda: LambdaName): CallbackType | undefined =>
  callbackTypes.find((type) => lambda === `callback-${type}`);

/** The routes AltaPay's gateway calls, from the route table. */
const gatewayRoutes: readonly HttpRoute[] = httpRoutes.filter((route) => route.access === 'gateway');

/**
 * A custom metric exactly as the Lambdas publish it: Powertools adds `service` to every metric, next to
 * the dimensions the handler sets (`functions/runtime/metrics.ts`). A query missing one finds nothing.
 */
const callbackMetric = (metricName: string, callbackType: CallbackType, statistic: string): Metric =>
  new Metric({
    namespace: metricsNamespace,
    metricName,
    dimensionsMap: { service: POWERTOOLS_SERVICE_NAME, callbackType },
    statistic,
    period: PERIOD,
  });

/** A dynamic label naming each series by the values of `dimensions`: `ok changed`, `fail duplicate`. */
const dimensionLabel = (dimensions: readonly string[]): string =>
  dimensions.map((dimension) => `\${PROP('Dim.${dimension}')}`).join(' ');

/**
 * Every series of a custom metric, whatever the values of its dimensions: a new outcome or rejection
 * reason shows up on the dashboard without a deploy. `dimensions` must be all of the metric's
 * dimensions besides `service` (a SEARCH schema matches metrics with exactly those dimensions).
 */
const searchAll = (
  metricName: string,
  dimensions: readonly string[],
  statistic: string,
  labelSuffix = '',
): MathExpression =>
  new MathExpression({
    expression:
      `SEARCH('{${metricsNamespace},${['service', ...dimensions].join(',')}} ` +
      `MetricName="${metricName}" service="${POWERTOOLS_SERVICE_NAME}"', '${statistic}', ${PERIOD.toSeconds()})`,
    label: `${dimensionLabel(dimensions)}${labelSuffix}`,
    period: PERIOD,
  });

export interface OperationsProps {
  readonly api: RestApi;
  readonly functions: Readonly<Record<LambdaName, PaymentsFunction>>;
  readonly workQueue: IQueue;
  readonly workDeadLetterQueue: IQueue;
}

/**
 * What an operator needs: an SNS topic that e-mails the `AlarmEmail` parameter, alarms whose
 * descriptions say what to do, and one dashboard. Alarms and graphs are generated from the route table
 * and the function list, so a new callback or function is watched without touching this file.
 */
export class Operations extends Construct {
  readonly topic: Topic;
  readonly alarms: readonly Alarm[];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { api, functions, workQueue, workDeadLetterQueue } = props;

    // A parameter, not context: `cdk deploy --parameters <stack>:AlarmEmail=...`, and CloudFormation keeps
    // it for later deploys. At stack level so its name is exactly `AlarmEmail`.
    const alarmEmail = new CfnParameter(stack, 'AlarmEmail', {
      type: 'String',
      description: 'Where alarms are e-mailed; confirm the subscription in the e-mail AWS sends',
      allowedPattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
      constraintDescription: 'must be one e-mail address',
    });

    // A customer managed key, because CloudWatch cannot publish to a topic encrypted with the AWS managed
    // key alias/aws/sns (that key's policy cannot be given to cloudwatch.amazonaws.com).
    const key = new Key(this, 'AlarmTopicKey', {
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
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: 'AltaPay payments alarms',
      masterKey: key,
      enforceSSL: true,
    });
    // A topic policy replaces SNS's default one, so CloudWatch's right to publish is stated: alarms of
    // this account only (confused-deputy guard).
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
          },
        },
      }),
    );
    const subscription = this.topic.addSubscription(new EmailSubscription(alarmEmail.valueAsString));
    Validations.of(subscription).acknowledge({
      id: 'Serverless-SNSRedrivePolicy',
      reason:
        'An e-mail subscription for alarms: a dead-letter queue would hold undelivered alarm e-mails where ' +
        'nobody looks (an alarm on it could only e-mail the same address). The alarms stay visible in ' +
        'CloudWatch and on the dashboard whatever happens to the e-mail.',
    });

    const action = new SnsAction(this.topic);
    const alarms: Alarm[] = [];
    const alarm = (
      alarmId: string,
      metric: IMetric,
      threshold: number,
      description: string,
      treatMissingData = TreatMissingData.NOT_BREACHING,
    ): void => {
      const created = new Alarm(this, alarmId, {
        alarmName: `${stack.stackName}-${alarmId}`,
        alarmDescription: description,
        metric,
        threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // No data means nothing happened (no callbacks, an empty queue): not a reason to page anyone.
        treatMissingData,
      });
      created.addAlarmAction(action);
      // The e-mail that the problem is over, so nobody keeps investigating a solved one.
      created.addOkAction(action);
      alarms.push(created);
    };

    alarm(
      'WorkDeadLetterQueueNotEmpty',
      workDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
      0,
      'Payment work failed 5 times and was parked: read the reason attribute on the work dead-letter queue ' +
        "messages and the worker's log, fix the cause, then redrive them to the work queue (SQS console).",
    );
    for (const name of Object.keys(lambdas) as LambdaName[]) {
      const dlq = functions[name].deadLetterQueue;
      if (dlq === undefined) continue;
      alarm(
        `${pascalCase(name)}DeadLetterQueueNotEmpty`,
        dlq.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
        0,
        `Scheduled runs of ${name} failed after Lambda's retries: read its log group and the messages' ` +
          'error attributes, fix the cause, then purge the queue (the next run redoes the work).',
      );
    }
    for (const source of eventSources) {
      if (source.kind !== 'work-queue') continue;
      alarm(
        `${pascalCase(source.lambda)}Errors`,
        functions[source.lambda].metricErrors({ period: PERIOD, statistic: 'Sum' }),
        0,
        `${source.lambda} crashed, timed out or could not start (a missing setting, an unreadable secret): ` +
          'read its log group; the batch returns to the queue and is retried.',
      );
    }
    alarm(
      'WorkQueueOldestMessage',
      workQueue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum' }),
      alarmThresholds.oldestWorkSeconds,
      'Work has waited over 5 minutes: the worker keeps failing a message (it reports partial batch ' +
        "failures without erroring) or is not running; read its 'work failed' warnings and the gateway's answers.",
    );

    const reportingRoutes = gatewayRoutes.flatMap((route) => {
      const callbackType = callbackTypeOf(route.lambda);
      return callbackType === undefined ? [] : [{ route, callbackType }];
    });
    alarm(
      'CallbackFailures',
      new MathExpression({
        // FILL: a callback type without failures has no data points, which would void the sum.
        expression: reportingRoutes.map((_, i) => `FILL(f${i}, 0)`).join(' + '),
        usingMetrics: Object.fromEntries(
          reportingRoutes.map(({ callbackType }, i) => [
            `f${i}`,
            callbackMetric(metricNames.callbackFailures, callbackType, 'Sum'),
          ]),
        ),
        label: 'callbacks answered 5xx',
        period: PERIOD,
      }),
      0,
      'A callback was answered 5xx because the table and the work queue both failed, so its result is not ' +
        'recorded yet: check DynamoDB and SQS health and the callback functions’ logs.',
    );
    alarm(
      'Api5xx',
      api.deploymentStage.metricServerError({ period: PERIOD, statistic: 'Sum' }),
      0,
      'The API answered 5xx: a 502 from POST /payments is AltaPay refusing or failing (check the altapay/api ' +
        'secret and the terminal); anything else, read the access log and the function logs.',
    );
    for (const route of gatewayRoutes) {
      const callbackType = callbackTypeOf(route.lambda);
      const fn = functions[route.lambda];
      // verify-order publishes no custom metrics; its function's own duration is the same measure.
      const p99 =
        callbackType === undefined
          ? fn.metricDuration({ period: PERIOD, statistic: 'p99' })
          : callbackMetric(metricNames.callbackLatency, callbackType, 'p99');
      alarm(
        `${pascalCase(route.lambda)}LatencyP99`,
        p99,
        alarmThresholds.callbackLatencyP99Ms,
        `${route.method} ${route.path} takes over 3 s (p99); the gateway gives a notification 5 s and the ` +
          'customer waits on the others: check DynamoDB latency and throttling and the X-Ray traces.',
      );
    }
    for (const name of Object.keys(lambdas) as LambdaName[]) {
      alarm(
        `${pascalCase(name)}Throttled`,
        functions[name].metricThrottles({ period: PERIOD, statistic: 'Sum' }),
        0,
        `Lambda refused to run ${name} (concurrency limit): raise the account's Lambda concurrency quota ` +
          'or find what else in the account uses it up.',
      );
    }
    // No alarm on API Gateway 429s: a REST API publishes no throttling metric of its own, its throttled
    // requests are counted in 4XXError with every other client error.
    this.alarms = alarms;

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: stack.stackName,
      defaultInterval: Duration.hours(24),
    });
    const graph = (title: string, left: IMetric[], right: IMetric[] = []): GraphWidget =>
      new GraphWidget({ title, left, right, width: 8, height: 6 });
    const dlqs = [
      workDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: 'work', period: PERIOD }),
      ...(Object.keys(lambdas) as LambdaName[]).flatMap((name) => {
        const dlq = functions[name].deadLetterQueue;
        return dlq === undefined
          ? []
          : [dlq.metricApproximateNumberOfMessagesVisible({ label: name, period: PERIOD })];
      }),
    ];
    // The worker's own counts (functions/runtime/metrics.ts): only the `service` dimension, or one more.
    const serviceMetric = (metricName: string, statistic = 'Sum') =>
      new Metric({
        namespace: metricsNamespace,
        metricName,
        dimensionsMap: { service: POWERTOOLS_SERVICE_NAME },
        statistic,
        period: PERIOD,
      });
    alarm(
      'UnconfirmedCallbacks',
      serviceMetric(metricNames.unconfirmedCallbacks),
      0,
      'A callback claimed a payment the gateway does not confirm (a forgery, a tampered replay, or a gateway ' +
        'fault). The payment was corrected to what the gateway says and nothing was handed on: find it with ' +
        '`npm run payments -- list` (flag unconfirmed), look at its callback log and source addresses.',
    );
    alarm(
      'MerchantEventDeliveryFailures',
      new Metric({
        namespace: metricsNamespace,
        metricName: metricNames.merchantEventDeliveries,
        dimensionsMap: { service: POWERTOOLS_SERVICE_NAME, outcome: 'failed' },
        statistic: 'Sum',
        period: PERIOD,
      }),
      // Each event is tried three times per run, so a short blip is 1 to 3 failures: more means an outage.
      5,
      "Events are not reaching the merchant's webhook: check its availability and the worker log's delivery " +
        'errors; nothing is lost (work is retried, then parked in the dead-letter queue with the reason).',
    );
    const worker = eventSources.flatMap((source) => (source.kind === 'work-queue' ? [source.lambda] : []));
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          `# AltaPay payments\nCustom metrics: namespace \`${metricsNamespace}\`, service ` +
          `\`${POWERTOOLS_SERVICE_NAME}\`. Alarms e-mail the \`AlarmEmail\` address; each says what to do.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      graph('Callbacks by type and outcome', [
        searchAll(metricNames.callbacks, ['callbackType', 'outcome'], 'Sum'),
      ]),
      graph('Rejected callbacks by reason', [
        searchAll(metricNames.callbackRejections, ['callbackType', 'reason'], 'Sum'),
      ]),
      graph('Callbacks answered 5xx', [searchAll(metricNames.callbackFailures, ['callbackType'], 'Sum')]),
    );
    this.dashboard.addWidgets(
      graph('Callback handler time (ms), p50 and p99', [
        searchAll(metricNames.callbackLatency, ['callbackType'], 'p50', ' p50'),
        searchAll(metricNames.callbackLatency, ['callbackType'], 'p99', ' p99'),
      ]),
      graph('API requests and errors', [
        api.deploymentStage.metricCount({ period: PERIOD, label: 'requests' }),
        api.deploymentStage.metricClientError({ period: PERIOD, label: '4xx (429 included)' }),
        api.deploymentStage.metricServerError({ period: PERIOD, label: '5xx' }),
      ]),
      graph('API latency (ms), p99', [
        api.deploymentStage.metricLatency({ period: PERIOD, statistic: 'p99', label: 'total' }),
        api.deploymentStage.metricIntegrationLatency({ period: PERIOD, statistic: 'p99', label: 'Lambda' }),
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        'Work queue',
        [
          workQueue.metricApproximateNumberOfMessagesVisible({ label: 'waiting', period: PERIOD }),
          workQueue.metricApproximateNumberOfMessagesNotVisible({ label: 'in progress', period: PERIOD }),
        ],
        [workQueue.metricApproximateAgeOfOldestMessage({ label: 'oldest (s)', period: PERIOD })],
      ),
      graph('Dead-letter queues (messages)', dlqs),
      graph(
        'Worker',
        worker.flatMap((name) => [
          functions[name].metricInvocations({ period: PERIOD, label: `${name} invocations` }),
          functions[name].metricErrors({ period: PERIOD, label: `${name} errors` }),
          functions[name].metricThrottles({ period: PERIOD, label: `${name} throttles` }),
        ]),
      ),
    );
    this.dashboard.addWidgets(
      graph('Merchant events by outcome', [
        searchAll(metricNames.merchantEventDeliveries, ['outcome'], 'Sum'),
      ]),
      graph('Unconfirmed callbacks', [searchAll(metricNames.unconfirmedCallbacks, [], 'Sum', 'unconfirmed')]),
      graph('Work parked in the dead-letter queue, by reason', [
        searchAll(metricNames.workParked, ['reason'], 'Sum'),
      ]),
    );
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: [...alarms], width: 24, height: 6 }),
    );
  }
}
