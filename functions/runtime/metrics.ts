import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ClientError } from '../../shared/errors';
import type { CallbackType } from '../../shared/payments/payment';
import type { WorkerMetrics } from '../../shared/ports';
import { type MetricCallbackType, metricNames, metricsNamespace } from '../metrics';
import { serviceNameOf } from './service-name';

/**
 * One Metrics per cold start; the test runner and npm start's short console turn publishing off
 * (POWERTOOLS_METRICS_DISABLED).
 */
export const metrics = new Metrics({ namespace: metricsNamespace, serviceName: serviceNameOf() });

/**
 * One single-metric publisher per cold start, reused: each addMetric publishes at once and clears its
 * dimensions, and each emit below runs to the end without awaiting, so no two metrics mix. Building a
 * new one per metric (`metrics.singleMetric()` each time) cost a callback about 0.35 ms.
 */
const single = metrics.singleMetric();

/**
 * Publishes what one callback did. Each metric is published on its own, with exactly the dimensions
 * the dashboard and alarms query, whatever else the invocation recorded.
 */
export function publishCallbackMetrics(
  callbackType: CallbackType,
  startedAt: number,
  outcome: { recorded: string } | { error: unknown },
): void {
  const emit = (
    name: string,
    dimensions: Record<string, string>,
    unit: (typeof MetricUnit)[keyof typeof MetricUnit] = MetricUnit.Count,
    value = 1,
  ) => {
    single.addDimensions({ callbackType, ...dimensions });
    single.addMetric(name, unit, value);
  };
  emit(metricNames.callbackLatency, {}, MetricUnit.Milliseconds, Date.now() - startedAt);
  if ('recorded' in outcome) emit(metricNames.callbacks, { outcome: outcome.recorded });
  else if (!publishCallbackRejection(callbackType, outcome.error)) emit(metricNames.callbackFailures, {});
}

/**
 * Counts a callback refused with a client error (a wrong checksum, a malformed form) under its
 * reason; anything else is not a rejection. Returns whether it counted one.
 */
export function publishCallbackRejection(callbackType: MetricCallbackType, error: unknown): boolean {
  if (!(error instanceof ClientError)) return false;
  single.addDimensions({ callbackType, reason: error.code });
  single.addMetric(metricNames.callbackRejections, MetricUnit.Count, 1);
  return true;
}

/** One metric with exactly `dimensions`, published at once (the worker handles many messages per run). */
export function countMetric(name: string, dimensions: Record<string, string> = {}): void {
  single.addDimensions(dimensions);
  single.addMetric(name, MetricUnit.Count, 1);
}

/** One metric per value of `dimension` with its count, zeros left out (what a scheduled run found). */
export function countMetrics(
  name: string,
  dimension: string,
  counts: Readonly<Record<string, number>>,
): void {
  for (const [value, count] of Object.entries(counts)) {
    if (count === 0) continue;
    single.addDimensions({ [dimension]: value });
    single.addMetric(name, MetricUnit.Count, count);
  }
}

/** The worker's counts, as metrics the dashboard and alarms read. */
export const workerMetrics: WorkerMetrics = {
  deliveryAttempt: (accepted) =>
    countMetric(metricNames.merchantEventDeliveries, { outcome: accepted ? 'accepted' : 'failed' }),
  unconfirmed: () => countMetric(metricNames.unconfirmedCallbacks),
  amountMismatch: () => countMetric(metricNames.amountMismatch),
};
