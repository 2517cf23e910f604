import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { paymentsTable } from '../../adapters/dynamodb/payments-table';
import { type EventSource, eventSources, httpRoutes, type LambdaName, lambdas } from '../../functions/routes';
import { DEFAULT_ALTAPAY_GATEWAY_URL } from '../../infra/deployment-settings';
import { addPaymentsStacks } from '../../infra/payments-app';
import { WORK_QUEUE_MAX_RECEIVE_COUNT } from '../../infra/payments-data';
import { type PaymentSecretName, paymentSecrets } from '../../infra/secrets';
import { tempDir } from '../support/temp-dir';
import { asList, type Statement, secretsRead, synthesize, testApp } from './support';

// Prepare: one app for the whole file, built exactly as `infra/app.ts` builds it (cdk-nag packs included),
// with bundling skipped so no esbuild runs here (`npm run synth` covers bundling).
const {
  app,
  stateful,
  api,
  apiTemplate,
  statefulTemplate,
  functionLogicalId,
  propertiesOf,
  statementsOf,
  queueArn,
  secretRef,
  imported,
  environmentOf,
} = synthesize();

const workQueueSources = eventSources.filter(
  (source): source is Extract<EventSource, { kind: 'work-queue' }> => source.kind === 'work-queue',
);
const scheduleSources = eventSources.filter(
  (source): source is Extract<EventSource, { kind: 'schedule' }> => source.kind === 'schedule',
);

/** The full path (`/payments/{shopOrderId}`) of every API Gateway resource, by logical id. */
const resourcePaths = (): ReadonlyMap<string, string> => {
  const resources = apiTemplate.findResources('AWS::ApiGateway::Resource');
  const paths = new Map<string, string>();
  const pathOf = (logicalId: string): string => {
    const known = paths.get(logicalId);
    if (known !== undefined) return known;
    const properties = propertiesOf(apiTemplate, 'AWS::ApiGateway::Resource', logicalId);
    const parent: { Ref?: string } = properties.ParentId;
    const parentPath = parent.Ref === undefined ? '' : pathOf(parent.Ref);
    const path = `${parentPath}/${properties.PathPart}`;
    paths.set(logicalId, path);
    return path;
  };
  for (const logicalId of Object.keys(resources)) pathOf(logicalId);
  return paths;
};

describe('the CDK app', () => {
  it('has no unacknowledged cdk-nag finding, warnings included', () => {
    // Assess: the packs again, directly, so a failure lists rule and construct instead of a bare throw.
    const findings = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      pack
        .validateScope(app)
        .violations.map(
          (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
        ),
    );
    expect(findings).toEqual([]);
  });

  it('synthesises without CDK warnings or errors', () => {
    for (const stack of [api, stateful]) {
      expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    }
  });
});

describe('the API', () => {
  it.each(httpRoutes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    'wires %s to its function with the access the route table asks for',
    (_, route) => {
      const paths = resourcePaths();
      const methods = Object.values(apiTemplate.findResources('AWS::ApiGateway::Method')).filter(
        (m) =>
          m.Properties.HttpMethod === route.method && paths.get(m.Properties.ResourceId.Ref) === route.path,
      );
      expect(methods).toHaveLength(1);
      const method = methods[0]?.Properties;

      expect(method.Integration.Type).toBe('AWS_PROXY');
      expect(JSON.stringify(method.Integration.Uri)).toContain(
        JSON.stringify({ 'Fn::GetAtt': [functionLogicalId(route.lambda), 'Arn'] }),
      );
      expect(method.AuthorizationType).toBe(route.access === 'iam' ? 'AWS_IAM' : 'NONE');
      expect(method.RequestValidatorId).toBeDefined();
    },
  );

  it('passes every body to Lambda as raw bytes', () => {
    apiTemplate.hasResourceProperties('AWS::ApiGateway::RestApi', {
      BinaryMediaTypes: Match.arrayWith(['*/*']),
    });
  });

  it('serves stage v1 throttled, traced, with JSON access logs and error-level execution logs', () => {
    apiTemplate.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: { Format: Match.stringLikeRegexp('^\\{"requestId":') },
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        }),
      ]),
    });
  });

  it('keeps every log group, API Gateway execution logs included, for a year (PCI DSS 10.5.1)', () => {
    apiTemplate.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', Match.arrayWith(['API-Gateway-Execution-Logs_', '/v1'])] },
    });
    apiTemplate.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  it('outputs the base URL and one ready-to-paste URL per AltaPay callback', () => {
    const outputs = apiTemplate.findOutputs('*');
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'CallbackOkUrl',
        'CallbackFailUrl',
        'CallbackOpenUrl',
        'CallbackNotificationUrl',
      ]),
    );
    expect(JSON.stringify(outputs.CallbackNotificationUrl?.Value)).toContain('/callbacks/notification');
  });
});

describe('the functions', () => {
  it.each((Object.keys(lambdas) as LambdaName[]).map((name) => [name, lambdas[name]] as const))(
    '%s runs on arm64 nodejs24.x with its spec, its table and its queue',
    (name, spec) => {
      const fn = propertiesOf(apiTemplate, 'AWS::Lambda::Function', functionLogicalId(name));
      expect(fn).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Timeout: spec.timeoutSeconds,
        MemorySize: spec.memoryMb,
        TracingConfig: { Mode: 'Active' },
      });
      expect(Object.keys(fn.Environment.Variables)).toEqual(
        expect.arrayContaining([
          'PAYMENTS_TABLE_NAME',
          'WORK_QUEUE_URL',
          'NODE_OPTIONS',
          'POWERTOOLS_SERVICE_NAME',
        ]),
      );
    },
  );

  it('are all arm64 nodejs24.x, whatever their name', () => {
    for (const fn of Object.values(apiTemplate.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    }
  });

  it("uses a '*' resource only for the X-Ray actions that support nothing narrower", () => {
    // This is what the AwsSolutions-IAM5[Resource::*] acknowledgement in payments-function.ts relies on.
    for (const name of Object.keys(lambdas) as LambdaName[]) {
      const wildcard = statementsOf(name).filter((s) => asList(s.Resource).includes('*'));
      expect(wildcard.flatMap((s) => asList(s.Action)).every((a) => a.startsWith('xray:'))).toBe(true);
    }
  });
});

describe('what invokes the functions', () => {
  it('deploys every function of the route table, and nothing else', () => {
    const deployed = Object.keys(apiTemplate.findResources('AWS::Lambda::Function')).sort();
    expect(deployed).toEqual((Object.keys(lambdas) as LambdaName[]).map(functionLogicalId).sort());
  });

  it('leaves no function without an HTTP route or an event source', () => {
    const invoked = new Set([...httpRoutes, ...eventSources].map((entry) => entry.lambda));
    expect((Object.keys(lambdas) as LambdaName[]).filter((name) => !invoked.has(name))).toEqual([]);
  });

  it('feeds the worker from the work queue in batches, reporting failed messages one by one', () => {
    expect(workQueueSources.map((source) => source.lambda)).toContain('payment-worker');
    const mappings = Object.values(apiTemplate.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(workQueueSources.length);
    for (const source of workQueueSources) {
      const mapping = mappings.find(
        (m) => m.Properties.FunctionName.Ref === functionLogicalId(source.lambda),
      )?.Properties;
      expect(mapping).toMatchObject({
        BatchSize: source.batchSize,
        MaximumBatchingWindowInSeconds: source.maxBatchingWindowSeconds,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      expect(imported(mapping.EventSourceArn)).toEqual(queueArn(stateful.workQueue));
    }
  });

  it('runs the sweeper every minute, with a dead-letter queue for runs that fail or never start', () => {
    expect(scheduleSources).toContainEqual({ lambda: 'work-sweeper', kind: 'schedule', everyMinutes: 1 });
    const dlq = api.functions['work-sweeper'].deadLetterQueue;
    if (dlq === undefined) throw new Error('work-sweeper has no dead-letter queue');
    apiTemplate.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [functionLogicalId('work-sweeper'), 'Arn'] },
          DeadLetterConfig: { Arn: queueArn(dlq) },
          RetryPolicy: { MaximumEventAgeInSeconds: 60 },
        }),
      ],
    });
    expect(
      propertiesOf(apiTemplate, 'AWS::Lambda::Function', functionLogicalId('work-sweeper')).DeadLetterConfig,
    ).toEqual({ TargetArn: queueArn(dlq) });
  });

  it('creates one rule per schedule, each at its rate', () => {
    const rules = Object.values(apiTemplate.findResources('AWS::Events::Rule'));
    expect(rules.map((rule) => rule.Properties.ScheduleExpression).sort()).toEqual(
      scheduleSources.map(({ everyMinutes: n }) => `rate(${n} ${n === 1 ? 'minute' : 'minutes'})`).sort(),
    );
  });

  it('gives a Lambda dead-letter queue only to functions invoked asynchronously', () => {
    const scheduled = new Set<LambdaName>(scheduleSources.map((source) => source.lambda));
    for (const name of Object.keys(lambdas) as LambdaName[]) {
      const fn = propertiesOf(apiTemplate, 'AWS::Lambda::Function', functionLogicalId(name));
      expect(fn.DeadLetterConfig !== undefined, name).toBe(scheduled.has(name));
    }
  });

  it('encrypts the scheduled functions’ dead-letter queues and refuses unencrypted transport', () => {
    const queues = apiTemplate.findResources('AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(scheduleSources.length);
    apiTemplate.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    for (const logicalId of Object.keys(queues)) {
      apiTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });
});

/** The variables every function gets, whatever it does. */
const commonVariables = ['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', 'PAYMENTS_TABLE_NAME', 'WORK_QUEUE_URL'];

/** Looks like a credential by name, or like a key or token by value (long, no spaces, letters and digits). */
const secretName = /SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|PRIVATE|API_?KEY|USERNAME/i;
const secretValue = /^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9+/_=-]{20,}$/;

describe('the settings', () => {
  it('give each function only the variables it reads, with the defaults when context is silent', () => {
    const extra: Readonly<Record<LambdaName, Record<string, string>>> = {
      'callback-ok': {},
      'callback-fail': {},
      'callback-open': {},
      'callback-notification': {},
      'callback-verify-order': {},
      'create-payment': { ALTAPAY_GATEWAY_URL: DEFAULT_ALTAPAY_GATEWAY_URL },
      'payment-status': {},
      'capture-payment': { ALTAPAY_GATEWAY_URL: DEFAULT_ALTAPAY_GATEWAY_URL },
      'refund-payment': { ALTAPAY_GATEWAY_URL: DEFAULT_ALTAPAY_GATEWAY_URL },
      'release-payment': { ALTAPAY_GATEWAY_URL: DEFAULT_ALTAPAY_GATEWAY_URL },
      'charge-payment': { ALTAPAY_GATEWAY_URL: DEFAULT_ALTAPAY_GATEWAY_URL },
      'payment-worker': {
        WORK_MAX_ATTEMPTS: String(WORK_QUEUE_MAX_RECEIVE_COUNT),
        AUTO_CAPTURE: 'false',
        ALTAPAY_GATEWAY_URL: DEFAULT_ALTAPAY_GATEWAY_URL,
      },
      'work-sweeper': {},
      reconciler: { ALTAPAY_GATEWAY_URL: DEFAULT_ALTAPAY_GATEWAY_URL },
    };
    for (const name of Object.keys(lambdas) as LambdaName[]) {
      const variables = environmentOf(apiTemplate, api, name);
      const secretVariables = secretsRead[name].map((secret) => paymentSecrets[secret].arnVariable);
      const expected = [...commonVariables, ...Object.keys(extra[name]), ...secretVariables];
      if (name === 'payment-worker') expected.push('WORK_DLQ_URL');
      expect(Object.keys(variables).sort(), name).toEqual(expected.sort());
      expect(variables, name).toMatchObject(extra[name]);
      for (const secret of secretsRead[name]) {
        expect(imported(variables[paymentSecrets[secret].arnVariable]), name).toEqual(secretRef(secret));
      }
    }
  });

  it("tell the worker the dead-letter queue and the queue's own receive limit", () => {
    const variables = environmentOf(apiTemplate, api, 'payment-worker');
    const dlq = stateful.getLogicalId(stateful.workDeadLetterQueue.node.defaultChild as CfnQueue);
    expect(imported(variables.WORK_DLQ_URL)).toEqual({ Ref: dlq });
    const redriven = Object.values(statefulTemplate.findResources('AWS::SQS::Queue')).find(
      (q) => q.Properties.RedrivePolicy !== undefined,
    );
    expect(variables.WORK_MAX_ATTEMPTS).toBe(String(redriven?.Properties.RedrivePolicy.maxReceiveCount));
  });

  it('take the gateway, terminal, auto-capture and merchant webhook from context', () => {
    const configured = testApp({
      autoCapture: 'true',
      altapayGatewayUrl: 'https://shop.altapaysecure.com',
      altapayTerminal: 'Shop EUR Terminal',
      merchantWebhookUrl: 'https://merchant.example/altapay/events',
    });
    const stacks = addPaymentsStacks(configured);
    const template = Template.fromStack(stacks.api);
    expect(environmentOf(template, stacks.api, 'payment-worker')).toMatchObject({
      AUTO_CAPTURE: 'true',
      ALTAPAY_GATEWAY_URL: 'https://shop.altapaysecure.com',
      ALTAPAY_TERMINAL: 'Shop EUR Terminal',
      MERCHANT_WEBHOOK_URL: 'https://merchant.example/altapay/events',
    });
    const createPayment = environmentOf(template, stacks.api, 'create-payment');
    expect(createPayment).toMatchObject({
      ALTAPAY_GATEWAY_URL: 'https://shop.altapaysecure.com',
      ALTAPAY_TERMINAL: 'Shop EUR Terminal',
    });
    expect(Object.keys(createPayment)).not.toContain('MERCHANT_WEBHOOK_URL');
    expect(Object.keys(createPayment)).not.toContain('AUTO_CAPTURE');
    expect(Object.keys(environmentOf(template, stacks.api, 'callback-ok')).sort()).toEqual(
      [...commonVariables, 'ALTAPAY_CALLBACK_SECRET_ARN'].sort(),
    );
  });

  it('pass the terminals from the context altapayTerminals on as JSON, checked at synth time', () => {
    const terminals = [
      { name: 'Shop DKK Card', currency: 'DKK', method: 'card' },
      { name: 'Shop EUR Card', currency: 'EUR', method: 'card' },
    ];
    const stacks = addPaymentsStacks(testApp({ altapayTerminals: JSON.stringify(terminals) }));
    const variables = environmentOf(Template.fromStack(stacks.api), stacks.api, 'create-payment');
    expect(JSON.parse(String(variables.ALTAPAY_TERMINALS))).toEqual(terminals);
    expect(variables.ALTAPAY_TERMINAL).toBeUndefined();

    expect(() =>
      addPaymentsStacks(testApp({ altapayTerminals: '[{"name":"Shop","currency":"dkk","method":"card"}]' })),
    ).toThrow(
      'Context altapayTerminals[0].currency must be an ISO 4217 currency code in capitals, such as DKK or EUR',
    );
    expect(() =>
      addPaymentsStacks(testApp({ altapayTerminal: 'Old', altapayTerminals: JSON.stringify(terminals) })),
    ).toThrow('altapayTerminal and altapayTerminals are both set');
  });

  it('restart exactly the functions that read secrets when the context secretsVersion changes', () => {
    const configured = synthesize({ secretsVersion: '2026-11-02' });
    for (const name of Object.keys(lambdas) as LambdaName[]) {
      const variables = configured.environmentOf(configured.apiTemplate, configured.api, name);
      expect(variables.SECRETS_VERSION, name).toBe(secretsRead[name].length > 0 ? '2026-11-02' : undefined);
    }
    expect(environmentOf(apiTemplate, api, 'payment-worker').SECRETS_VERSION).toBeUndefined();
  });

  it('tell only the reconciler RECONCILE_AFTER_MINUTES, from the context reconcileAfterMinutes', () => {
    const configured = synthesize({ reconcileAfterMinutes: '30' });
    for (const name of Object.keys(lambdas) as LambdaName[]) {
      const variables = configured.environmentOf(configured.apiTemplate, configured.api, name);
      expect(variables.RECONCILE_AFTER_MINUTES, name).toBe(name === 'reconciler' ? '30' : undefined);
    }
  });

  it('give the customer pages SHOP_URL, SHOP_CHECKOUT_URL and the checked PAGE_TEXTS from context', () => {
    const file = join(tempDir('page-texts'), 'page-texts.json');
    writeFileSync(file, '{\n  "da": { "paidHeading": "Tak for din ordre" }\n}\n');
    const configured = synthesize({
      shopUrl: 'https://shop.example/',
      shopCheckoutUrl: 'https://shop.example/checkout',
      pageTextsFile: file,
    });
    const variablesOf = (name: LambdaName) =>
      configured.environmentOf(configured.apiTemplate, configured.api, name);
    const pageTexts = '{"da":{"paidHeading":"Tak for din ordre"}}';
    for (const name of ['callback-ok', 'callback-fail', 'callback-open'] as const) {
      expect(variablesOf(name), name).toMatchObject({
        SHOP_URL: 'https://shop.example/',
        SHOP_CHECKOUT_URL: 'https://shop.example/checkout',
        PAGE_TEXTS: pageTexts,
      });
    }
    expect(variablesOf('callback-verify-order').PAGE_TEXTS).toBe(pageTexts);
    expect(variablesOf('create-payment')).toMatchObject({
      SHOP_URL: 'https://shop.example/',
      PAGE_TEXTS: pageTexts,
    });
    expect(variablesOf('payment-worker').PAGE_TEXTS).toBeUndefined();
  });

  it.each([
    ['{"da":{"paidHeadline":"Tak"}}', 'da.paidHeadline is not a page text'],
    ['{"da":', 'cannot be read as JSON'],
    [
      JSON.stringify({
        en: { paidMessage: 'x'.repeat(900), pendingMessage: 'y'.repeat(900), closedMessage: 'z'.repeat(900) },
      }),
      'at most 2048 fit',
    ],
  ])('refuses a pageTextsFile holding %s at synth time', (json, message) => {
    const file = join(tempDir('page-texts'), 'page-texts.json');
    writeFileSync(file, json);
    expect(() => addPaymentsStacks(testApp({ pageTextsFile: file }))).toThrow(message);
  });

  it.each([
    ['reconcileAfterMinutes', '0.5'],
    ['reconcileAfterMinutes', '1441'],
    ['autoCapture', 'yes'],
    ['merchantWebhookUrl', 'http://merchant.example/altapay/events'],
    ['merchantWebhookUrl', 'https://user:pass@merchant.example/altapay/events'],
    ['altapayGatewayUrl', 'testgateway.altapaysecure.com'],
    ['shopUrl', 'http://shop.example/'],
    ['shopCheckoutUrl', 'shop.example/checkout'],
  ])('refuses the context %s=%s at synth time', (key, value) => {
    const app = testApp({ [key]: value });
    expect(() => addPaymentsStacks(app)).toThrow(key);
  });

  it('hold secrets by ARN only: no secret-looking values, and secret-looking names only for ARNs', () => {
    const secretArns = (Object.keys(paymentSecrets) as PaymentSecretName[]).map((s) =>
      JSON.stringify(secretRef(s)),
    );
    for (const fn of Object.values(apiTemplate.findResources('AWS::Lambda::Function'))) {
      for (const [name, value] of Object.entries(fn.Properties.Environment.Variables)) {
        if (typeof value === 'string') expect(value, name).not.toMatch(secretValue);
        if (!secretName.test(name)) continue;
        // The one exception: a `*_SECRET_ARN` holding the ARN of one of our secrets, nothing derived from it.
        expect(name).toMatch(/_SECRET_ARN$/);
        expect(secretArns, name).toContain(JSON.stringify(imported(value)));
      }
    }
  });
});

describe('the stateful stack', () => {
  it('keeps the payments table through deletes, with PITR and both indexes', () => {
    statefulTemplate.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: paymentsTable.partitionKey, KeyType: 'HASH' },
          { AttributeName: paymentsTable.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: Match.arrayWith(
          [paymentsTable.statusIndex, paymentsTable.pendingWorkIndex].map((index) =>
            Match.objectLike({
              IndexName: index.name,
              KeySchema: [
                { AttributeName: index.partitionKey, KeyType: 'HASH' },
                { AttributeName: index.sortKey, KeyType: 'RANGE' },
              ],
            }),
          ),
        ),
        Replicas: [
          Match.objectLike({
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ],
      }),
    });
  });

  it('redrives work to a dead-letter queue that keeps it 14 days, after 5 receives', () => {
    const dlq = stateful.getLogicalId(stateful.workDeadLetterQueue.node.defaultChild as CfnQueue);
    statefulTemplate.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 5 },
    });
    expect(propertiesOf(statefulTemplate, 'AWS::SQS::Queue', dlq).MessageRetentionPeriod).toBe(
      14 * 24 * 3600,
    );
  });

  it('hides work from other workers for at least six worker timeouts', () => {
    const queue = Object.values(statefulTemplate.findResources('AWS::SQS::Queue')).find(
      (q) => q.Properties.RedrivePolicy !== undefined,
    );
    expect(queue?.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(
      6 * lambdas['payment-worker'].timeoutSeconds,
    );
  });

  it('refuses unencrypted transport on both queues', () => {
    const policies = statefulTemplate.findResources('AWS::SQS::QueuePolicy');
    const deniedInsecure = Object.values(policies).filter((p) =>
      (p.Properties.PolicyDocument.Statement as Statement[]).some(
        (s) => s.Effect === 'Deny' && JSON.stringify(s).includes('"aws:SecureTransport":"false"'),
      ),
    );
    expect(deniedInsecure).toHaveLength(2);
    statefulTemplate.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });
});
