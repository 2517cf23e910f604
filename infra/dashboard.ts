import { Duration } from 'aws-cdk-lib';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { metricNames, metricsNamespace } from '../functions/metrics';
import { eventSources, type LambdaName, lambdas } from '../functions/routes';
import type { WatchedResources } from './alarms';
import { callbackClientErrors, checksumRejections, gatewayRoutes } from './callback-rejections';
import { accountWideName } from './deployment-names';
import { PERIOD, searchAll } from './operations-metrics';

/** The one dashboard: callbacks, the API, the queues, the worker, merchant events, and every alarm's state. */
export function addDashboard(
  scope: Construct,
  watched: WatchedResources,
  alarms: readonly Alarm[],
): Dashboard {
  const { api, functions, workQueue, workDeadLetterQueue, service } = watched;
  const dashboard = new Dashboard(scope, 'Dashboard', {
    // Dashboard names are account-wide, across regions.
    dashboardName: accountWideName(scope),
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
  const worker = eventSources.flatMap((source) => (source.kind === 'work-queue' ? [source.lambda] : []));
  dashboard.addWidgets(
    new TextWidget({
      markdown:
        `# AltaPay payments\nCustom metrics: namespace \`${metricsNamespace}\`, service ` +
        `\`${service}\`. Alarms e-mail the \`AlarmEmail\` address; each says what to do.`,
      width: 24,
      height: 2,
    }),
  );
  dashboard.addWidgets(
    graph('Callbacks by type and outcome', [
      searchAll(service, metricNames.callbacks, ['callbackType', 'outcome'], 'Sum'),
    ]),
    graph('Rejected callbacks by reason', [
      searchAll(service, metricNames.callbackRejections, ['callbackType', 'reason'], 'Sum'),
    ]),
    graph('Callbacks answered 5xx', [
      searchAll(service, metricNames.callbackFailures, ['callbackType'], 'Sum'),
    ]),
  );
  dashboard.addWidgets(
    graph(
      'Callbacks refused: API 4xx per route (allowlist, checksum, form)',
      gatewayRoutes.map((route) => callbackClientErrors(api, route).with({ label: `${route.path} 4xx` })),
    ),
    graph(
      'Callbacks refused for their checksum (shared secret)',
      gatewayRoutes.map((route) => checksumRejections(service, route)),
    ),
  );
  dashboard.addWidgets(
    graph('Callback handler time (ms), p50 and p99', [
      searchAll(service, metricNames.callbackLatency, ['callbackType'], 'p50', ' p50'),
      searchAll(service, metricNames.callbackLatency, ['callbackType'], 'p99', ' p99'),
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
  dashboard.addWidgets(
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
  dashboard.addWidgets(
    graph('Merchant events by outcome', [
      searchAll(service, metricNames.merchantEventDeliveries, ['outcome'], 'Sum'),
    ]),
    graph('Unconfirmed callbacks', [
      searchAll(service, metricNames.unconfirmedCallbacks, [], 'Sum', 'unconfirmed'),
    ]),
    graph('Payments for another amount', [
      searchAll(service, metricNames.amountMismatch, [], 'Sum', 'mismatch'),
    ]),
    graph('Payment items refused for size', [
      searchAll(service, metricNames.itemTooLarge, [], 'Sum', 'too large'),
    ]),
    graph('Work parked in the dead-letter queue, by reason', [
      searchAll(service, metricNames.workParked, ['reason'], 'Sum'),
    ]),
    graph('Orders reconciled with the gateway, by outcome (changed: its callback was lost)', [
      searchAll(service, metricNames.reconciledOrders, ['outcome'], 'Sum'),
    ]),
  );
  dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: [...alarms], width: 24, height: 6 }));
  return dashboard;
}
