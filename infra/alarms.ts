import { Stack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { metricNames } from '../functions/metrics';
import { eventSources, type LambdaName, lambdas } from '../functions/routes';
import { type CallbackType, callbackTypes } from '../shared/payments/payment';
import {
  CALLBACK_REJECTIONS_THRESHOLD,
  callbackClientErrors,
  checksumRejections,
  gatewayRoutes,
} from './callback-rejections';
import { pascalCase } from './names';
import {
  callbackMetric,
  LATENCY_MIN_SAMPLES,
  PERIOD,
  serviceMetric,
  whenEnoughSamples,
} from './operations-metrics';
import type { PaymentsFunction } from './payments-function';

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

/**
 * A latency alarm fires when this many of the last `of` periods breach (each with enough samples):
 * one slow period is noise, a slow quarter of an hour is an outage in the making.
 */
const latencyDatapoints = { toAlarm: 3, of: 5 } as const;

interface AlarmOptions {
  readonly treatMissingData?: TreatMissingData;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
}

/** The callback type a function publishes its metrics under (`callbackHandler('ok')`), if it publishes any. */
const callbackTypeOf = (lambda: LambdaName): CallbackType | undefined =>
  callbackTypes.find((type) => lambda === `callback-${type}`);

/** What the alarms and the dashboard watch. */
export interface WatchedResources {
  readonly api: RestApi;
  readonly functions: Readonly<Record<LambdaName, PaymentsFunction>>;
  readonly workQueue: IQueue;
  readonly workDeadLetterQueue: IQueue;
  /** The `service` dimension this copy's functions publish their custom metrics with. */
  readonly service: string;
}

/**
 * The alarm table: each alarm e-mails `topic` when it fires and when it is over, and its description
 * says what to do. Generated from the route table and the function list, so a new callback or function
 * is watched without touching this file.
 */
export function addAlarms(scope: Construct, topic: ITopic, watched: WatchedResources): Alarm[] {
  const stack = Stack.of(scope);
  const { api, functions, workQueue, workDeadLetterQueue, service } = watched;
  const action = new SnsAction(topic);
  const alarms: Alarm[] = [];
  const alarm = (
    alarmId: string,
    metric: IMetric,
    threshold: number,
    description: string,
    {
      // No data means nothing happened (no callbacks, an empty queue): not a reason to page anyone.
      treatMissingData = TreatMissingData.NOT_BREACHING,
      evaluationPeriods = 1,
      datapointsToAlarm,
    }: AlarmOptions = {},
  ): void => {
    const created = new Alarm(scope, alarmId, {
      alarmName: `${stack.stackName}-${alarmId}`,
      alarmDescription: description,
      metric,
      threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods,
      ...(datapointsToAlarm === undefined ? {} : { datapointsToAlarm }),
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
      `Scheduled runs of ${name} failed or expired (Lambda does not retry them): read its log group and the messages' ` +
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
          callbackMetric(service, metricNames.callbackFailures, callbackType, 'Sum'),
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
        : callbackMetric(service, metricNames.callbackLatency, callbackType, 'p99');
    alarm(
      `${pascalCase(route.lambda)}LatencyP99`,
      whenEnoughSamples(p99, `${route.path} p99 (ms) with ${LATENCY_MIN_SAMPLES}+ samples`),
      alarmThresholds.callbackLatencyP99Ms,
      `${route.method} ${route.path} takes over 3 s (p99) in ${latencyDatapoints.toAlarm} of the last ` +
        `${latencyDatapoints.of} 5-minute periods with ${LATENCY_MIN_SAMPLES} callbacks or more; the ` +
        'gateway gives a notification 5 s and the customer waits on the others: check DynamoDB latency ' +
        "and throttling on the dashboard, and the function's X-Ray trace for init versus run time (SDK " +
        'calls are not traced on their own: docs/design.md, Tracing).',
      { evaluationPeriods: latencyDatapoints.of, datapointsToAlarm: latencyDatapoints.toAlarm },
    );
  }
  for (const route of gatewayRoutes) {
    alarm(
      `${pascalCase(route.lambda)}Rejected`,
      callbackClientErrors(api, route),
      CALLBACK_REJECTIONS_THRESHOLD,
      `API Gateway answered ${route.method} ${route.path} with 4xx more than ` +
        `${CALLBACK_REJECTIONS_THRESHOLD} times in 5 minutes: AltaPay's callbacks are being refused and ` +
        'payments are not recorded. Read the access log: a 403 without a Lambda call is the IP allowlist ' +
        "(restrictCallbacksToAltaPay: compare AltaPay's current callback addresses with " +
        'infra/resource-policy.ts); a 403 from the function is the checksum (see the ChecksumRejected ' +
        "alarm); a 400 or 415 is the terminal's callback settings in AltaPay's merchant interface.",
    );
    alarm(
      `${pascalCase(route.lambda)}ChecksumRejected`,
      checksumRejections(service, route),
      CALLBACK_REJECTIONS_THRESHOLD,
      `${route.method} ${route.path} refused more than ${CALLBACK_REJECTIONS_THRESHOLD} callbacks in 5 ` +
        "minutes for their checksum: the shared secret in AltaPay's terminal settings is neither secret " +
        'nor previousSecret of the altapay/callback secret (a rotation done in the wrong order?). Put the ' +
        "terminal's value back as previousSecret (README: Rotate the callback secret) and wait 5 minutes.",
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
  alarm(
    'UnconfirmedCallbacks',
    serviceMetric(service, metricNames.unconfirmedCallbacks),
    0,
    'A callback claimed a payment the gateway does not confirm (a forgery, a tampered replay, or a gateway ' +
      'fault). The payment was corrected to what the gateway says and nothing was handed on: find it with ' +
      '`npm run payments -- list` (flag unconfirmed), look at its callback log and source addresses.',
  );
  alarm(
    'AmountMismatch',
    serviceMetric(service, metricNames.amountMismatch),
    0,
    'The gateway confirmed a payment for another amount or currency than the shop requested (a tampered ' +
      'checkout or a terminal misconfiguration). It was flagged amount-mismatch, not captured, and announced ' +
      'as payment.amount_mismatch: find it with `npm run payments -- list` (flag amount-mismatch), then ' +
      'release or refund it with the gateway and ask the customer to pay the real amount.',
  );
  alarm(
    'ItemTooLarge',
    serviceMetric(service, metricNames.itemTooLarge),
    0,
    "The table refused to grow a payment's item past DynamoDB's 400 KB limit. The message (a callback or " +
      'its work) was parked in the dead-letter queue at once, with the reason: read it there, record the ' +
      'payment by hand with the gateway (`npm run payments -- show <id>`), and find out what grew the item.',
  );
  alarm(
    'MerchantEventDeliveryFailures',
    serviceMetric(service, metricNames.merchantEventDeliveries, 'Sum', { outcome: 'failed' }),
    // Each event is tried three times per run, so a short blip is 1 to 3 failures: more means an outage.
    5,
    "Events are not reaching the merchant's webhook: check its availability and the worker log's delivery " +
      'errors; nothing is lost (work is retried, then parked in the dead-letter queue with the reason).',
  );
  return alarms;
}
