import { Match } from 'aws-cdk-lib/assertions';
import type { CfnKey } from 'aws-cdk-lib/aws-kms';
import type { CfnTopic } from 'aws-cdk-lib/aws-sns';
import type { CfnQueue, IQueue } from 'aws-cdk-lib/aws-sqs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { metricNames, metricsNamespace } from '../../functions/metrics';
import { eventSources, type HttpRoute, httpRoutes, type LambdaName, lambdas } from '../../functions/routes';
import { loadSettings } from '../../functions/runtime/settings';
import { addPaymentsStacks } from '../../infra/payments-app';
import { ALTAPAY_CALLBACK_SOURCE_RANGES } from '../../infra/resource-policy';
import { type PaymentSecretName, paymentSecretNames, paymentSecrets } from '../../infra/secrets';
import { MalformedRequestError } from '../../shared/errors';
import { callbackTypes } from '../../shared/payments/payment';
import { asList, type Statement, type Synthesized, synthesize, testApp } from './support';

// What a merchant's deployment relies on beyond the functions and routes (app.test.ts): the secrets, the
// AltaPay address restriction, the alarms and the dashboard. One file, because each test file pays for
// loading the CDK and cdk-nag once (about 5 s here); a second synthesis in the same file costs under 1 s.

// Prepare: the app as `cdk synth` builds it; once with a merchant webhook; once with the callbacks open
// to any address, as for testing with your own tools.
const deployed = synthesize();
const {
  api,
  stateful,
  apiTemplate,
  statefulTemplate,
  functionLogicalId,
  propertiesOf,
  statementsOf,
  imported,
  environmentOf,
} = deployed;
const withWebhook = synthesize({ merchantWebhookUrl: 'https://merchant.example/altapay/events' });
const open = synthesize({ restrictCallbacksToAltaPay: 'false' });

/** What Secrets Manager is told to create, per secret; written out here so a change to infra/secrets.ts shows. */
const created: Readonly<Record<PaymentSecretName, Record<string, unknown>>> = {
  'altapay-api': {
    Name: 'AltaPay/altapay/api',
    GenerateSecretString: {
      SecretStringTemplate: '{"username":"SET-ME"}',
      GenerateStringKey: 'password',
      PasswordLength: 32,
      ExcludePunctuation: true,
      IncludeSpace: false,
    },
  },
  'altapay-callback': {
    Name: 'AltaPay/altapay/callback',
    GenerateSecretString: {
      SecretStringTemplate: '{}',
      GenerateStringKey: 'secret',
      PasswordLength: 32,
      ExcludePunctuation: true,
      IncludeSpace: false,
    },
  },
  'merchant-webhook': {
    Name: 'AltaPay/merchant/webhook',
    GenerateSecretString: {
      SecretStringTemplate: '{}',
      GenerateStringKey: 'signingKey',
      PasswordLength: 48,
      ExcludePunctuation: true,
      IncludeSpace: false,
    },
  },
  'shop-order': {
    Name: 'AltaPay/shop/order',
    GenerateSecretString: {
      SecretStringTemplate: '{}',
      GenerateStringKey: 'key',
      PasswordLength: 64,
      ExcludePunctuation: true,
      IncludeSpace: false,
    },
  },
};

/** The JSON a secret holds right after creation: its template plus the generated field. */
const generatedValue = (name: PaymentSecretName, generated: string): string => {
  const { template, generatedKey } = paymentSecrets[name].generate;
  return JSON.stringify({ ...template, [generatedKey]: generated });
};

describe('the secrets', () => {
  it('are created in the stateful stack, one per audience, named with the stack prefix, with generated values', () => {
    expect(Object.keys(statefulTemplate.findResources('AWS::SecretsManager::Secret'))).toHaveLength(4);
    for (const name of paymentSecretNames) {
      statefulTemplate.hasResourceProperties('AWS::SecretsManager::Secret', created[name]);
    }
    expect(apiTemplate.findResources('AWS::SecretsManager::Secret')).toEqual({});
  });

  it('survive deleting the stack and replacing the resource (not a failed create), and have no rotation Lambda', () => {
    for (const secret of Object.values(statefulTemplate.findResources('AWS::SecretsManager::Secret'))) {
      expect(secret).toMatchObject({ DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
    }
    statefulTemplate.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
  });

  it('keeps payment-status, which serves payments to IAM callers, away from every secret', () => {
    expect(statementsOf('payment-status').flatMap((s) => asList(s.Action))).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^secretsmanager:|^kms:/)]),
    );
  });

  it('never put a secret value into a template: no SecretString, no dynamic reference, no value in env', () => {
    for (const template of [
      apiTemplate,
      statefulTemplate,
      withWebhook.apiTemplate,
      withWebhook.statefulTemplate,
    ]) {
      const text = JSON.stringify(template.toJSON());
      // A literal value (`SecretString`) or `{{resolve:secretsmanager:...}}` would be readable by anyone
      // who can read the template, the stack events or the function's configuration.
      expect(text).not.toContain('"SecretString"');
      expect(text).not.toMatch(/\{\{resolve:secretsmanager:/);
    }
    for (const template of [statefulTemplate, withWebhook.statefulTemplate]) {
      template.allResourcesProperties('AWS::SecretsManager::Secret', {
        SecretString: Match.absent(),
        GenerateSecretString: Match.objectLike({ GenerateStringKey: Match.anyValue() }),
      });
    }
    // Every variable that mentions a secret holds its ARN (an imported Ref), never a value derived from it.
    for (const synthesized of [deployed, withWebhook]) {
      for (const name of Object.keys(lambdas) as LambdaName[]) {
        const variables = synthesized.environmentOf(synthesized.apiTemplate, synthesized.api, name);
        for (const [variable, value] of Object.entries(variables)) {
          const resolved = JSON.stringify(synthesized.imported(value));
          if (!resolved.includes('Secret')) continue;
          expect(variable).toMatch(/_SECRET_ARN$/);
          expect(synthesized.imported(value)).toEqual({ Ref: expect.stringMatching(/Secret/) });
        }
      }
    }
  });

  it('set MERCHANT_WEBHOOK_URL on the worker only when the context merchantWebhookUrl is given', () => {
    expect(environmentOf(apiTemplate, api, 'payment-worker').MERCHANT_WEBHOOK_URL).toBeUndefined();
    const worker = withWebhook.environmentOf(withWebhook.apiTemplate, withWebhook.api, 'payment-worker');
    expect(worker.MERCHANT_WEBHOOK_URL).toBe('https://merchant.example/altapay/events');
    // The worker refuses to start with a webhook URL and no signing key: the key's secret comes with it.
    expect(withWebhook.imported(worker.MERCHANT_WEBHOOK_SECRET_ARN)).toEqual(
      withWebhook.secretRef('merchant-webhook'),
    );
  });

  it('have the variables and JSON shapes that functions/runtime/settings.ts reads, as created', async () => {
    // Assess against the real settings code: the worker's and create-payment's environments from the
    // template (tokens replaced by ARNs), and each secret as Secrets Manager creates it.
    const arnOf = (name: PaymentSecretName) => `arn:aws:secretsmanager:eu-west-1:111122223333:secret:${name}`;
    const generated: Readonly<Record<PaymentSecretName, string>> = {
      'altapay-api': 'GeneratedPassword0123456789abcdef',
      'altapay-callback': 'GeneratedCallbackSecret0123456789',
      'merchant-webhook': 'GeneratedSigningKey0123456789abcdefghijklmnopqrs',
      'shop-order': 'GeneratedShopKey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN',
    };
    const fetched: string[] = [];
    const settingsOf = async (name: LambdaName) => {
      const variables = withWebhook.environmentOf(withWebhook.apiTemplate, withWebhook.api, name);
      const env = Object.fromEntries(
        Object.entries(variables).map(([variable, value]) => {
          const secret = paymentSecretNames.find((s) => paymentSecrets[s].arnVariable === variable);
          if (secret !== undefined) return [variable, arnOf(secret)];
          return [
            variable,
            typeof value === 'string' ? value : `https://sqs.eu-west-1.amazonaws.com/1/${variable}`,
          ];
        }),
      );
      env.ALTAPAY_TERMINAL = 'Shop EUR Terminal';
      return loadSettings(env, async (arn) => {
        fetched.push(arn);
        const secret = paymentSecretNames.find((s) => arnOf(s) === arn);
        if (secret === undefined) throw new Error(`unexpected ARN ${arn}`);
        return generatedValue(secret, generated[secret]);
      });
    };

    const worker = await settingsOf('payment-worker');
    const createPayment = await settingsOf('create-payment');

    expect([...new Set(fetched)].sort()).toEqual(paymentSecretNames.map(arnOf).sort());
    expect(worker.gateway).toMatchObject({ username: 'SET-ME', password: generated['altapay-api'] });
    expect(worker.callbackSecrets).toEqual([generated['altapay-callback']]);
    expect(worker.merchantWebhook?.signingKey).toBe(generated['merchant-webhook']);
    expect(worker.shopOrderKeys).toEqual([]);
    expect(createPayment.shopOrderKeys).toEqual([generated['shop-order']]);
  });
});

describe('the stateful stack’s outputs', () => {
  it('name each secret with a hint of what to put in it, by the field settings.ts reads', () => {
    const outputs = statefulTemplate.findOutputs('*');
    for (const name of paymentSecretNames) {
      const output = Object.values(outputs).find((o) => o.Value === created[name]?.Name);
      expect(output, name).toBeDefined();
      expect(output?.Description).toContain(`"${paymentSecrets[name].generate.generatedKey}"`);
    }
  });

  it('give the table name and a DynamoDB console link that opens it', () => {
    const outputs = statefulTemplate.findOutputs('*');
    const table = { Ref: deployed.statefulTableId() };
    expect(outputs.PaymentsTableName?.Value).toEqual(table);
    expect(outputs.PaymentsTableConsoleUrl?.Value).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          { Ref: 'AWS::Region' },
          '.console.aws.amazon.com/dynamodbv2/home?region=',
          { Ref: 'AWS::Region' },
          '#item-explorer?table=',
          table,
        ],
      ],
    });
  });
});

/** AltaPay's callback addresses as published (docs/altapay-protocol.md §3.4); single hosts as /32. */
const altaPayAddresses = ['185.206.120.0/24', '2a10:a200::/29', '185.203.232.129/32', '185.203.233.129/32'];

const routeArn = (route: HttpRoute): string =>
  `execute-api:/*/${route.method}${route.path.replace(/\{[^/]+\}/g, '*')}`;
const arnsOf = (access: HttpRoute['access']): string[] =>
  httpRoutes.filter((route) => route.access === access).map(routeArn);

const policyOf = (synthesized: Synthesized): readonly Statement[] => {
  const [api, ...others] = Object.values(synthesized.apiTemplate.findResources('AWS::ApiGateway::RestApi'));
  expect(others).toEqual([]);
  return api?.Properties.Policy?.Statement ?? [];
};

const denies = (synthesized: Synthesized): readonly Statement[] =>
  policyOf(synthesized).filter((s) => s.Effect === 'Deny');

describe("the API's resource policy", () => {
  it('lets anyone invoke the callback and checkout routes, and leaves the IAM routes to IAM', () => {
    for (const synthesized of [deployed, open]) {
      const allows = policyOf(synthesized).filter((s) => s.Effect === 'Allow');
      expect(allows).toHaveLength(1);
      expect(allows[0]).toMatchObject({ Principal: { AWS: '*' }, Action: 'execute-api:Invoke' });
      expect([...asList(allows[0]?.Resource)].sort()).toEqual(
        [...arnsOf('gateway'), ...arnsOf('public')].sort(),
      );
      // No allow on an IAM route: a caller from another account, which would need one, is refused.
      for (const arn of arnsOf('iam')) expect(JSON.stringify(allows)).not.toContain(arn);
      expect(JSON.stringify(allows)).not.toContain('execute-api:/*"');
    }
  });

  it("denies the AltaPay callback routes, and only those, to every address outside AltaPay's by default", () => {
    const [deny, ...others] = denies(deployed);
    expect(others).toEqual([]);
    expect(deny).toMatchObject({ Principal: { AWS: '*' }, Action: 'execute-api:Invoke' });
    expect([...asList(deny?.Resource)].sort()).toEqual(arnsOf('gateway').sort());
    expect(arnsOf('gateway')).toEqual(expect.arrayContaining(['execute-api:/*/POST/callbacks/notification']));
    expect(deny?.Condition).toEqual({ NotIpAddress: { 'aws:SourceIp': altaPayAddresses } });
  });

  it('keeps the addresses in one constant, exactly as AltaPay publishes them, IPv4 and IPv6', () => {
    expect(ALTAPAY_CALLBACK_SOURCE_RANGES).toEqual(altaPayAddresses);
  });

  it('drops the deny, and only the deny, with -c restrictCallbacksToAltaPay=false', () => {
    expect(denies(open)).toEqual([]);
    expect(policyOf(open).filter((s) => s.Effect === 'Allow')).toEqual(
      policyOf(deployed).filter((s) => s.Effect === 'Allow'),
    );
  });

  it('redeploys the stage when the restriction is switched, since a policy change needs a new deployment', () => {
    const deployments = (synthesized: Synthesized) =>
      Object.keys(synthesized.apiTemplate.findResources('AWS::ApiGateway::Deployment'));
    expect(deployments(deployed)).toHaveLength(1);
    expect(deployments(open)).toHaveLength(1);
    expect(deployments(open)).not.toEqual(deployments(deployed));
    const stage = (synthesized: Synthesized) =>
      Object.values(synthesized.apiTemplate.findResources('AWS::ApiGateway::Stage'))[0]?.Properties;
    expect(stage(deployed).DeploymentId).toEqual({ Ref: deployments(deployed)[0] });
  });

  it('refuses a restrictCallbacksToAltaPay that is not true or false at synth time', () => {
    const app = testApp({ restrictCallbacksToAltaPay: 'no' });
    expect(() => addPaymentsStacks(app)).toThrow('restrictCallbacksToAltaPay');
  });
});

interface MetricStat {
  readonly Namespace: string;
  readonly MetricName: string;
  readonly Dimensions?: readonly { readonly Name: string; readonly Value: unknown }[];
}

interface AlarmProperties {
  readonly AlarmName: string;
  readonly AlarmDescription?: string;
  readonly AlarmActions?: readonly unknown[];
  readonly OKActions?: readonly unknown[];
  readonly ComparisonOperator: string;
  readonly Threshold: number;
  readonly EvaluationPeriods: number;
  readonly Period?: number;
  readonly Statistic?: string;
  readonly ExtendedStatistic?: string;
  readonly Namespace?: string;
  readonly MetricName?: string;
  readonly Dimensions?: MetricStat['Dimensions'];
  readonly Metrics?: readonly {
    readonly Id: string;
    readonly Expression?: string;
    readonly MetricStat?: { readonly Metric: MetricStat; readonly Period: number; readonly Stat: string };
  }[];
}

const alarms = Object.values(apiTemplate.findResources('AWS::CloudWatch::Alarm')).map(
  (alarm) => alarm.Properties as AlarmProperties,
);

/** Every metric an alarm watches: its own, or each one its expression uses. */
const metricsOf = (alarm: AlarmProperties): readonly MetricStat[] =>
  alarm.MetricName !== undefined
    ? [{ Namespace: alarm.Namespace ?? '', MetricName: alarm.MetricName, Dimensions: alarm.Dimensions }]
    : (alarm.Metrics ?? []).flatMap((m) => (m.MetricStat === undefined ? [] : [m.MetricStat.Metric]));

const dimension = (metric: MetricStat, name: string): unknown =>
  imported(metric.Dimensions?.find((d) => d.Name === name)?.Value);

/** The alarms on `metricName` whose dimension `name` is `value` (imports resolved). */
const alarmsOn = (metricName: string, name: string, value: unknown): readonly AlarmProperties[] =>
  alarms.filter((alarm) =>
    metricsOf(alarm).some(
      (m) => m.MetricName === metricName && JSON.stringify(dimension(m, name)) === JSON.stringify(value),
    ),
  );

const onlyAlarmOn = (metricName: string, name: string, value: unknown): AlarmProperties => {
  const found = alarmsOn(metricName, name, value);
  expect(found, `${metricName} ${name}=${JSON.stringify(value)}`).toHaveLength(1);
  return found[0] as AlarmProperties;
};

const queueName = (queue: IQueue, stack: typeof api | typeof stateful) => ({
  'Fn::GetAtt': [stack.getLogicalId(queue.node.defaultChild as CfnQueue), 'QueueName'],
});
const functionRef = (name: LambdaName) => ({ Ref: functionLogicalId(name) });
const topicRef = { Ref: api.getLogicalId(api.operations.topic.node.defaultChild as CfnTopic) };

/** The dashboard's body as JSON, each CloudFormation token replaced by a placeholder string. */
const dashboardBody = (() => {
  const [dashboard, ...others] = Object.values(apiTemplate.findResources('AWS::CloudWatch::Dashboard'));
  expect(others).toEqual([]);
  const body = dashboard?.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  const text = body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return JSON.parse(text) as { widgets: unknown[] };
})();

/** Every `expression` on the dashboard (the SEARCH queries). */
const dashboardExpressions = (): string[] => {
  const found: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        if (key === 'expression' && typeof child === 'string') found.push(child);
        else walk(child);
      }
    }
  };
  walk(dashboardBody);
  return found;
};

/** The SEARCH queries on the dashboard: metric name, the schema's dimension names, the `service` filter. */
const searches = () =>
  dashboardExpressions().flatMap((expression) => {
    const match = /^SEARCH\('\{([^}]+)\} MetricName="(\w+)" service="([^"]+)"', '(\w+)', 300\)$/.exec(
      expression,
    );
    if (match === null) return [];
    const [namespace, ...dimensions] = (match[1] ?? '').split(',');
    return [{ namespace, dimensions, metricName: match[2], service: match[3], statistic: match[4] }];
  });

describe('the alarm topic', () => {
  it('e-mails the AlarmEmail parameter, encrypted with a key CloudWatch may use, refusing plain HTTP', () => {
    expect(apiTemplate.findParameters('AlarmEmail').AlarmEmail).toMatchObject({ Type: 'String' });
    apiTemplate.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: { Ref: 'AlarmEmail' },
      TopicArn: topicRef,
    });
    const key = api.getLogicalId(api.operations.ownTopic?.masterKey?.node.defaultChild as CfnKey);
    apiTemplate.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    expect(propertiesOf(apiTemplate, 'AWS::KMS::Key', key)).toMatchObject({
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: expect.arrayContaining([
          expect.objectContaining({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    apiTemplate.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [topicRef],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
          }),
        ]),
      },
    });
  });
});

describe('the alarms', () => {
  it('all notify the topic when they fire and when they clear, and say what to do', () => {
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions, alarm.AlarmName).toEqual([topicRef]);
      expect(alarm.OKActions, alarm.AlarmName).toEqual([topicRef]);
      expect(alarm.AlarmDescription?.length, alarm.AlarmName).toBeGreaterThan(40);
      expect(alarm.ComparisonOperator, alarm.AlarmName).toBe('GreaterThanThreshold');
    }
  });

  it('fire when work is parked in the work dead-letter queue', () => {
    const alarm = onlyAlarmOn(
      'ApproximateNumberOfMessagesVisible',
      'QueueName',
      queueName(stateful.workDeadLetterQueue, stateful),
    );
    expect(alarm).toMatchObject({ Threshold: 0, Statistic: 'Maximum', Period: 300, EvaluationPeriods: 1 });
  });

  it("fire when a scheduled function's dead-letter queue holds a failed run", () => {
    const scheduled = eventSources.filter((source) => source.kind === 'schedule');
    expect(scheduled.map((s) => s.lambda)).toContain('work-sweeper');
    for (const { lambda } of scheduled) {
      const dlq = api.functions[lambda].deadLetterQueue;
      if (dlq === undefined) throw new Error(`${lambda} has no dead-letter queue`);
      const alarm = onlyAlarmOn('ApproximateNumberOfMessagesVisible', 'QueueName', queueName(dlq, api));
      expect(alarm).toMatchObject({ Threshold: 0, Statistic: 'Maximum' });
    }
  });

  it('fire on any worker error in 5 minutes, and on work older than 300 s (partial failures do not error)', () => {
    expect(onlyAlarmOn('Errors', 'FunctionName', functionRef('payment-worker'))).toMatchObject({
      Threshold: 0,
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
    });
    expect(
      onlyAlarmOn('ApproximateAgeOfOldestMessage', 'QueueName', queueName(stateful.workQueue, stateful)),
    ).toMatchObject({ Threshold: 300, Statistic: 'Maximum', Period: 300 });
  });

  it('fire on any callback answered 5xx, summed over every callback type', () => {
    const [alarm, ...others] = alarms.filter((a) =>
      metricsOf(a).some((m) => m.MetricName === metricNames.callbackFailures),
    );
    expect(others).toEqual([]);
    expect(alarm?.Threshold).toBe(0);
    const metrics = alarm?.Metrics ?? [];
    const watched = metrics.flatMap((m) => (m.MetricStat === undefined ? [] : [m]));
    expect(watched.map((m) => dimension(m.MetricStat?.Metric as MetricStat, 'callbackType')).sort()).toEqual(
      [...callbackTypes].sort(),
    );
    for (const m of watched) {
      expect(m.MetricStat).toMatchObject({ Stat: 'Sum', Period: 300 });
      expect(m.MetricStat?.Metric.Namespace).toBe(metricsNamespace);
    }
    // The one expression that returns data adds up every metric it uses.
    const [expression] = metrics.flatMap((m) => (m.Expression === undefined ? [] : [m.Expression]));
    for (const m of watched) expect(expression).toContain(`FILL(${m.Id}, 0)`);
  });

  it('fire on any 5xx the API answers', () => {
    const alarm = alarms.find((a) => a.MetricName === '5XXError');
    expect(alarm).toMatchObject({ Namespace: 'AWS/ApiGateway', Threshold: 0, Statistic: 'Sum', Period: 300 });
    expect(alarm?.Dimensions?.map((d) => d.Name).sort()).toEqual(['ApiName', 'Stage']);
  });

  it.each(
    httpRoutes.filter((route) => route.access === 'gateway').map((route) => [route.path, route] as const),
  )('fire when %s takes over 3 s at p99', (_, route) => {
    const callbackType = callbackTypes.find((type) => route.lambda === `callback-${type}`);
    const alarm =
      callbackType === undefined
        ? onlyAlarmOn('Duration', 'FunctionName', functionRef(route.lambda))
        : onlyAlarmOn(metricNames.callbackLatency, 'callbackType', callbackType);
    // The p99 is read through an expression that ignores quiet periods (operations.test.ts).
    expect(alarm).toMatchObject({ Threshold: 3000 });
    expect(alarm.Metrics?.find((m) => m.Id === 'p99')?.MetricStat).toMatchObject({
      Stat: 'p99',
      Period: 300,
    });
  });

  it.each(Object.keys(lambdas) as LambdaName[])('fire when Lambda throttles %s', (name) => {
    expect(onlyAlarmOn('Throttles', 'FunctionName', functionRef(name))).toMatchObject({
      Threshold: 0,
      Statistic: 'Sum',
    });
  });
});

describe('the dashboard', () => {
  it('finds every series of the custom metrics named in functions/metrics.ts, by SEARCH', () => {
    expect(searches().map((s) => s.metricName)).toEqual(expect.arrayContaining(Object.values(metricNames)));
    for (const search of searches()) {
      expect(search.namespace).toBe(metricsNamespace);
    }
    expect(
      searches()
        .filter((s) => s.metricName === metricNames.callbackLatency)
        .map((s) => s.statistic),
    ).toEqual(['p50', 'p99']);
  });

  it('graphs the queues, the dead-letter queues, the worker and the API', () => {
    const text = JSON.stringify(dashboardBody);
    for (const metric of [
      'ApproximateNumberOfMessagesVisible',
      'ApproximateAgeOfOldestMessage',
      'Invocations',
      'Errors',
      '4XXError',
      '5XXError',
    ]) {
      expect(text).toContain(`"${metric}"`);
    }
  });

  it('is linked from the API stack’s outputs', () => {
    const output = apiTemplate.findOutputs('DashboardUrl').DashboardUrl;
    expect(JSON.stringify(output?.Value)).toContain('#dashboards:name=');
    expect(JSON.stringify(output?.Value)).toContain('cloudwatch/home?region=');
  });
});

describe('the custom metrics the alarms and the dashboard query', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('have exactly the dimensions the Lambdas publish (Powertools adds service)', async () => {
    // Prepare: publish one of each metric through the handlers' own code, as EMF on the console.
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      lines.push(String(line));
    });
    const { countMetric, countMetrics, publishCallbackMetrics, workerMetrics } = await import(
      '../../functions/runtime/metrics'
    );
    publishCallbackMetrics('ok', Date.now(), { recorded: 'changed' });
    publishCallbackMetrics('fail', Date.now(), { error: new MalformedRequestError('invalid_field', 'bad') });
    publishCallbackMetrics('notification', Date.now(), { error: new Error('table and queue down') });
    workerMetrics.deliveryAttempt(false);
    workerMetrics.unconfirmed();
    workerMetrics.amountMismatch();
    countMetric(metricNames.workParked, { reason: 'poison' });
    countMetric(metricNames.itemTooLarge);
    countMetrics(metricNames.reconciledOrders, 'outcome', { changed: 1, failed: 0 });

    // Act: what each published metric's dimension names and values are.
    const published = new Map<string, Record<string, string>>();
    for (const line of lines) {
      const emf = JSON.parse(line);
      const [directive] = emf._aws.CloudWatchMetrics;
      expect(directive.Namespace).toBe(metricsNamespace);
      for (const { Name } of directive.Metrics) {
        published.set(
          Name,
          Object.fromEntries((directive.Dimensions[0] as string[]).map((d) => [d, emf[d] as string])),
        );
      }
    }
    expect([...published.keys()].sort()).toEqual(Object.values(metricNames).sort());

    // Assess: the dashboard's SEARCH schemas and the alarms' metrics use exactly those dimensions.
    for (const search of searches()) {
      const dimensions = published.get(search.metricName ?? '');
      expect(dimensions, search.metricName).toBeDefined();
      expect([...search.dimensions].sort()).toEqual(Object.keys(dimensions ?? {}).sort());
      expect(search.service).toBe(dimensions?.service);
    }
    const customMetrics = alarms.flatMap(metricsOf).filter((m) => m.Namespace === metricsNamespace);
    expect(customMetrics.length).toBeGreaterThan(0);
    for (const metric of customMetrics) {
      const dimensions = published.get(metric.MetricName);
      expect(metric.Dimensions?.map((d) => d.Name).sort(), metric.MetricName).toEqual(
        Object.keys(dimensions ?? {}).sort(),
      );
      expect(dimension(metric, 'service')).toBe(dimensions?.service);
    }
  });
});
