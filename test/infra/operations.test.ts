import type { CfnStage } from 'aws-cdk-lib/aws-apigateway';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { metricNames } from '../../functions/metrics';
import { eventSources, httpRoutes } from '../../functions/routes';
import { DEFAULT_WORKER_MAX_CONCURRENCY } from '../../infra/deployment-settings';
import { pascalCase } from '../../infra/names';
import { LATENCY_MIN_SAMPLES } from '../../infra/operations-metrics';
import { addPaymentsStacks } from '../../infra/payments-app';
import { ForgedCallbackError } from '../../shared/errors';
import { synthesize, testApp } from './support';

// What keeps an outage visible and a flood contained: the worker's concurrency cap, the alarms on refused
// callbacks, latency alarms that ignore quiet periods, the scheduled functions' async settings, and the
// public base URL behind a custom domain.

const deployed = synthesize();
const { apiTemplate, functionLogicalId, environmentOf, api } = deployed;
const gatewayRoutes = httpRoutes.filter((route) => route.access === 'gateway');

interface AlarmMetric {
  readonly Id: string;
  readonly Expression?: string;
  readonly ReturnData?: boolean;
  readonly MetricStat?: {
    readonly Metric: {
      readonly Namespace: string;
      readonly MetricName: string;
      readonly Dimensions?: readonly { readonly Name: string; readonly Value: unknown }[];
    };
    readonly Stat: string;
    readonly Period: number;
  };
}

/** The alarm's properties by the id `addAlarms` gives it (its name ends with `-<id>`). */
const alarmNamed = (template: typeof apiTemplate, id: string): Record<string, unknown> => {
  const found = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .map((alarm) => alarm.Properties as Record<string, unknown>)
    .filter((p) => JSON.stringify(p.AlarmName).includes(`-${id}`));
  expect(found, id).toHaveLength(1);
  return found[0] as Record<string, unknown>;
};

const dimensionsOf = (metric: AlarmMetric): Record<string, unknown> =>
  Object.fromEntries((metric.MetricStat?.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));

describe('the worker', () => {
  it(`runs at most ${DEFAULT_WORKER_MAX_CONCURRENCY} copies at once from the work queue, unless workerMaxConcurrency says otherwise`, () => {
    const mappingOf = (template: typeof apiTemplate) =>
      Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).map(
        (mapping) => mapping.Properties,
      );
    const [mapping, ...others] = mappingOf(apiTemplate);
    expect(others).toEqual([]);
    expect(mapping).toMatchObject({
      FunctionName: { Ref: functionLogicalId('payment-worker') },
      ScalingConfig: { MaximumConcurrency: DEFAULT_WORKER_MAX_CONCURRENCY },
    });
    const [raised] = mappingOf(synthesize({ workerMaxConcurrency: '12' }).apiTemplate);
    expect(raised?.ScalingConfig).toEqual({ MaximumConcurrency: 12 });
  });

  it('has no reserved concurrency: it would fail to deploy on an account with a reduced quota', () => {
    for (const fn of Object.values(apiTemplate.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
  });

  it.each(['1', '1001', 'five'])(
    'refuses workerMaxConcurrency=%s at synth (SQS takes 2 to 1000)',
    (value) => {
      expect(() => addPaymentsStacks(testApp({ workerMaxConcurrency: value }))).toThrow(
        /workerMaxConcurrency must be a whole number from 2 to 1000/,
      );
    },
  );
});

describe('the alarms on refused callbacks', () => {
  it('get per-method metrics from the stage for the callback methods only, keeping the stage defaults', () => {
    const [stage] = Object.values(apiTemplate.findResources('AWS::ApiGateway::Stage'));
    const settings = stage?.Properties.MethodSettings as Record<string, unknown>[];
    const defaults = settings.find((s) => s.ResourcePath === '/*' && s.HttpMethod === '*');
    expect(defaults).toMatchObject({
      LoggingLevel: 'ERROR',
      DataTraceEnabled: false,
      ThrottlingRateLimit: 50,
    });
    expect(defaults?.MetricsEnabled).toBeUndefined();
    const detailed = settings.filter((s) => s.MetricsEnabled === true);
    expect(detailed.map((s) => `${s.HttpMethod} ${s.ResourcePath}`).sort()).toEqual(
      gatewayRoutes.map((route) => `${route.method} /${route.path.replaceAll('/', '~1')}`).sort(),
    );
    for (const method of detailed) {
      expect(method).toEqual({
        ...defaults,
        ResourcePath: method.ResourcePath,
        HttpMethod: 'POST',
        MetricsEnabled: true,
      });
    }
  });

  it.each(gatewayRoutes.map((route) => [route.path, route] as const))(
    'fire when API Gateway answers %s with 4xx more than twice in 5 minutes, naming the allowlist',
    (_, route) => {
      const alarm = alarmNamed(apiTemplate, `${pascalCase(route.lambda)}Rejected`);
      expect(alarm).toMatchObject({
        Namespace: 'AWS/ApiGateway',
        MetricName: '4XXError',
        Statistic: 'Sum',
        Period: 300,
        Threshold: 2,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
      const dimensions = Object.fromEntries(
        (alarm.Dimensions as { Name: string; Value: unknown }[]).map((d) => [d.Name, d.Value]),
      );
      expect(dimensions).toMatchObject({
        Method: route.method,
        Resource: route.path,
        Stage: { Ref: api.getLogicalId(api.api.deploymentStage.node.defaultChild as CfnStage) },
      });
      expect(dimensions.ApiName).toBeDefined();
      expect(alarm.AlarmDescription).toMatch(/IP allowlist/);
      expect(alarm.AlarmDescription).toMatch(/checksum/);
      expect(alarm.AlarmDescription).toMatch(/callback settings/);
    },
  );

  it.each(gatewayRoutes.map((route) => [route.path, route] as const))(
    'fire when our handler refuses %s for its checksum more than twice in 5 minutes, naming the shared secret',
    (_, route) => {
      const alarm = alarmNamed(apiTemplate, `${pascalCase(route.lambda)}ChecksumRejected`);
      const metrics = alarm.Metrics as AlarmMetric[];
      const stats = metrics.filter((m) => m.MetricStat !== undefined);
      const callbackType = route.lambda.replace(/^callback-/, '');
      expect(stats.map((m) => dimensionsOf(m))).toEqual(
        ['checksum_missing', 'checksum_mismatch'].map((reason) => ({
          service: 'altapay-payments',
          callbackType,
          reason,
        })),
      );
      for (const m of stats) expect(m.MetricStat?.Metric.MetricName).toBe(metricNames.callbackRejections);
      const [sum] = metrics.filter((m) => m.Expression !== undefined);
      expect(sum?.Expression).toBe(stats.map((m) => `FILL(${m.Id}, 0)`).join(' + '));
      expect(alarm).toMatchObject({ Threshold: 2, ComparisonOperator: 'GreaterThanThreshold' });
      expect(alarm.AlarmDescription).toMatch(/shared secret/);
    },
  );

  it('are graphed on the dashboard: 4xx per callback route and checksum refusals', () => {
    const [dashboard] = Object.values(apiTemplate.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const route of gatewayRoutes) {
      expect(body).toContain(`\\"Resource\\",\\"${route.path}\\"`);
      expect(body).toContain(
        `\\"callbackType\\",\\"${route.lambda.replace(/^callback-/, '')}\\",\\"reason\\",\\"checksum_mismatch\\"`,
      );
    }
  });
});

describe('the latency alarms', () => {
  it.each(gatewayRoutes.map((route) => [route.path, route] as const))(
    `fire on %s only in periods with ${LATENCY_MIN_SAMPLES}+ samples, 3 of the last 5`,
    (_, route) => {
      const alarm = alarmNamed(apiTemplate, `${pascalCase(route.lambda)}LatencyP99`);
      expect(alarm).toMatchObject({ Threshold: 3000, EvaluationPeriods: 5, DatapointsToAlarm: 3 });
      const metrics = alarm.Metrics as AlarmMetric[];
      const byId = Object.fromEntries(metrics.map((m) => [m.Id, m]));
      const expression = metrics.find((m) => m.Expression !== undefined);
      expect(expression?.Expression).toBe(`IF(n >= ${LATENCY_MIN_SAMPLES}, p99, 0)`);
      expect(expression?.ReturnData ?? true).toBe(true);
      // The count is of the very metric whose p99 is alarmed on.
      expect(byId.p99?.MetricStat?.Stat).toBe('p99');
      expect(byId.n?.MetricStat?.Stat).toBe('SampleCount');
      expect(byId.n?.MetricStat?.Metric).toEqual(byId.p99?.MetricStat?.Metric);
    },
  );
});

describe('the scheduled functions', () => {
  it.each(
    eventSources.flatMap((source) => (source.kind === 'schedule' ? [[source.lambda, source] as const] : [])),
  )(
    '%s is not retried by Lambda, and a run older than its schedule interval is dropped to its dead-letter queue',
    (name, source) => {
      const configs = Object.values(apiTemplate.findResources('AWS::Lambda::EventInvokeConfig'))
        .map((c) => c.Properties)
        .filter((p) => JSON.stringify(p.FunctionName) === JSON.stringify({ Ref: functionLogicalId(name) }));
      expect(configs).toEqual([
        expect.objectContaining({
          MaximumRetryAttempts: 0,
          MaximumEventAgeInSeconds: source.everyMinutes * 60,
          Qualifier: '$LATEST',
        }),
      ]);
      expect(api.functions[name].deadLetterQueue).toBeDefined();
    },
  );
});

describe('the public base URL', () => {
  const outputUrl = (template: typeof apiTemplate, id: string): unknown =>
    template.findOutputs(id)[id]?.Value;

  it('is not set by default: create-payment derives it from the request, outputs use the execute-api URL', () => {
    expect(environmentOf(apiTemplate, api, 'create-payment').PUBLIC_BASE_URL).toBeUndefined();
    expect(JSON.stringify(outputUrl(apiTemplate, 'CallbackOkUrl'))).toContain('execute-api');
    expect(apiTemplate.findResources('AWS::ApiGateway::DomainName')).toEqual({});
  });

  it('-c publicBaseUrl reaches create-payment only (it builds the callback URLs) and the printed callback URLs', () => {
    const custom = synthesize({ publicBaseUrl: 'https://pay.shop.dk/altapay/' });
    for (const name of Object.keys(custom.api.functions) as (keyof typeof custom.api.functions)[]) {
      expect(custom.environmentOf(custom.apiTemplate, custom.api, name).PUBLIC_BASE_URL, name).toBe(
        name === 'create-payment' ? 'https://pay.shop.dk/altapay' : undefined,
      );
    }
    for (const route of gatewayRoutes) {
      expect(outputUrl(custom.apiTemplate, `${pascalCase(route.lambda)}Url`)).toBe(
        `https://pay.shop.dk/altapay${route.path}`,
      );
    }
    expect(outputUrl(custom.apiTemplate, 'PublicBaseUrl')).toBe('https://pay.shop.dk/altapay');
  });

  it.each([
    ['http://pay.shop.dk', /must be an https URL/],
    ['https://pay.shop.dk/?a=1', /without \? or #/],
    ['not a url', /must be an https URL/],
  ])('refuses publicBaseUrl=%s at synth', (value, message) => {
    expect(() => addPaymentsStacks(testApp({ publicBaseUrl: value }))).toThrow(message);
  });

  it('-c customDomainName with certificateArn and basePath maps the stage there, and the URLs follow', () => {
    const certificateArn = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc-123';
    const custom = synthesize({ customDomainName: 'pay.shop.dk', certificateArn, basePath: 'altapay' });
    custom.apiTemplate.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'pay.shop.dk',
      RegionalCertificateArn: certificateArn,
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
    });
    custom.apiTemplate.hasResourceProperties('AWS::ApiGateway::BasePathMapping', { BasePath: 'altapay' });
    expect(custom.environmentOf(custom.apiTemplate, custom.api, 'create-payment').PUBLIC_BASE_URL).toBe(
      'https://pay.shop.dk/altapay',
    );
    expect(outputUrl(custom.apiTemplate, 'CallbackNotificationUrl')).toBe(
      'https://pay.shop.dk/altapay/callbacks/notification',
    );
    expect(custom.apiTemplate.findOutputs('CustomDomainTarget')).not.toEqual({});
  });

  it.each([
    [{ customDomainName: 'pay.shop.dk' }, /needs certificateArn/],
    [{ certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' }, /need customDomainName/],
    [
      { customDomainName: 'Pay_Shop', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' },
      /host name/,
    ],
    [
      {
        customDomainName: 'pay.shop.dk',
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
        basePath: 'a/b',
      },
      /one path segment/,
    ],
  ])('refuses an incomplete or malformed custom domain at synth (%j)', (context, message) => {
    expect(() => addPaymentsStacks(testApp(context))).toThrow(message);
  });
});

describe('the rejection metric', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('is published for verify-order too, with the dimensions its alarm queries', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      lines.push(String(line));
    });
    const { publishCallbackRejection } = await import('../../functions/runtime/metrics');

    const counted = publishCallbackRejection(
      'verify-order',
      new ForgedCallbackError('checksum_mismatch', 'wrong checksum'),
    );
    const notCounted = publishCallbackRejection('verify-order', new Error('table down'));

    expect([counted, notCounted]).toEqual([true, false]);
    expect(lines).toHaveLength(1);
    const emf = JSON.parse(lines[0] ?? '{}');
    const [directive] = emf._aws.CloudWatchMetrics;
    expect(directive.Metrics.map((m: { Name: string }) => m.Name)).toEqual([metricNames.callbackRejections]);
    expect(directive.Dimensions[0].sort()).toEqual(['callbackType', 'reason', 'service']);
    expect(emf).toMatchObject({ callbackType: 'verify-order', reason: 'checksum_mismatch' });
  });
});
