import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { metricNames, metricsNamespace } from '../../functions/metrics';

interface Emf {
  readonly _aws: {
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string; readonly Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

/** The EMF lines the Lambda writes to stdout (CloudWatch turns them into metrics). */
let published: Emf[] = [];

beforeEach(() => {
  published = [];
  vi.resetModules();
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_DEV', 'false');
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    const line = String(chunk).trim();
    if (line.startsWith('{') && line.includes('"_aws"')) published.push(JSON.parse(line) as Emf);
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** What one EMF line says: its metric names and its one dimension set, with the values. */
function read(emf: Emf) {
  const [directive] = emf._aws.CloudWatchMetrics;
  const dimensions = Object.fromEntries((directive?.Dimensions[0] ?? []).map((name) => [name, emf[name]]));
  return {
    namespace: directive?.Namespace,
    metrics: directive?.Metrics.map((m) => m.Name),
    dimensions,
  };
}

describe('callback metrics', () => {
  it('publishes each metric on its own line with exactly the dimensions the alarms query, callback after callback', async () => {
    const { publishCallbackMetrics } = await import('../../functions/runtime/metrics');
    // The module's own copy (modules are reset per test), or instanceof would not know it.
    const { ClientError } = await import('../../shared/errors');

    publishCallbackMetrics('ok', Date.now(), { recorded: 'changed' });
    publishCallbackMetrics('fail', Date.now(), { error: new ClientError(403, 'checksum_mismatch', 'no') });
    publishCallbackMetrics('notification', Date.now(), { error: new Error('table and queue down') });

    const line = (metric: string, dimensions: Record<string, string>) => ({
      namespace: metricsNamespace,
      metrics: [metric],
      dimensions: { service: 'altapay-payments', ...dimensions },
    });
    expect(published.map(read)).toEqual([
      line(metricNames.callbackLatency, { callbackType: 'ok' }),
      line(metricNames.callbacks, { callbackType: 'ok', outcome: 'changed' }),
      line(metricNames.callbackLatency, { callbackType: 'fail' }),
      line(metricNames.callbackRejections, { callbackType: 'fail', reason: 'checksum_mismatch' }),
      line(metricNames.callbackLatency, { callbackType: 'notification' }),
      line(metricNames.callbackFailures, { callbackType: 'notification' }),
    ]);
  });

  it('publishes a count with only its own dimensions after a callback metric', async () => {
    const { countMetric, publishCallbackMetrics } = await import('../../functions/runtime/metrics');

    publishCallbackMetrics('open', Date.now(), { recorded: 'duplicate' });
    countMetric(metricNames.workParked, { reason: 'poison' });

    expect(published.map(read).at(-1)).toEqual({
      namespace: metricsNamespace,
      metrics: [metricNames.workParked],
      dimensions: { service: 'altapay-payments', reason: 'poison' },
    });
  });
});
