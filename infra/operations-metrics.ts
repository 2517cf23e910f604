import { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { type MetricCallbackType, metricsNamespace } from '../functions/metrics';

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
  callbackType: MetricCallbackType,
  statistic: string,
  dimensions: Readonly<Record<string, string>> = {},
): Metric =>
  new Metric({
    namespace: metricsNamespace,
    metricName,
    dimensionsMap: { service, callbackType, ...dimensions },
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

/**
 * A latency alarm looks at a period only when it holds at least this many samples: a p99 over a handful
 * of requests is their slowest one, often a single cold start, which is not worth paging anyone for.
 */
export const LATENCY_MIN_SAMPLES = 20;

/**
 * `p99` where its period has at least `LATENCY_MIN_SAMPLES` samples of the same metric, 0 elsewhere
 * (`n` is the metric's SampleCount): a quiet period cannot breach, a busy slow one still does.
 */
export const whenEnoughSamples = (p99: Metric, label: string): MathExpression =>
  new MathExpression({
    expression: `IF(n >= ${LATENCY_MIN_SAMPLES}, p99, 0)`,
    usingMetrics: { p99, n: p99.with({ statistic: 'SampleCount' }) },
    label,
    period: PERIOD,
  });
