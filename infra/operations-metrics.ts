import { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { metricsNamespace } from '../functions/metrics';
import type { CallbackType } from '../shared/payments/payment';

/** Every alarm and graph looks at 5-minute periods: short enough to act on, long enough to be cheap. */
export const PERIOD = Duration.minutes(5);

/**
 * A custom metric exactly as the Lambdas publish it: Powertools adds `service` (the stack's
 * `POWERTOOLS_SERVICE_NAME`) to every metric, next to the dimensions the handler sets
 * (`functions/runtime/metrics.ts`). A query missing one finds nothing.
 */
export const callbackMetric = (
  service: string,
  metricName: string,
  callbackType: CallbackType,
  statistic: string,
): Metric =>
  new Metric({
    namespace: metricsNamespace,
    metricName,
    dimensionsMap: { service, callbackType },
    statistic,
    period: PERIOD,
  });

/** The worker's own counts (functions/runtime/metrics.ts): only the `service` dimension, or one more. */
export const serviceMetric = (
  service: string,
  metricName: string,
  statistic = 'Sum',
  dimensions: Readonly<Record<string, string>> = {},
): Metric =>
  new Metric({
    namespace: metricsNamespace,
    metricName,
    dimensionsMap: { service, ...dimensions },
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
export const searchAll = (
  service: string,
  metricName: string,
  dimensions: readonly string[],
  statistic: string,
  labelSuffix = '',
): MathExpression =>
  new MathExpression({
    expression:
      `SEARCH('{${metricsNamespace},${['service', ...dimensions].join(',')}} ` +
      `MetricName="${metricName}" service="${service}"', '${statistic}', ${PERIOD.toSeconds()})`,
    label: `${dimensionLabel(dimensions)}${labelSuffix}`,
    period: PERIOD,
  });
