import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { paymentsTable } from '../../adapters/dynamodb/payments-table';
import { httpRoutes, type LambdaName, lambdas } from '../../functions/routes';
import { addPaymentsStacks } from '../../infra/payments-app';
import { WORKER_TIMEOUT_SECONDS } from '../../infra/stateful-stack';

// Prepare: one app for the whole file, built exactly as `infra/app.ts` builds it (cdk-nag packs included),
// with bundling skipped so no esbuild runs here (`npm run synth` covers bundling).
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const { stateful, api } = addPaymentsStacks(app);
// The first synthesis runs the cdk-nag packs registered above; it throws on any unacknowledged finding.
const apiTemplate = Template.fromStack(api);
const statefulTemplate = Template.fromStack(stateful);

interface Statement {
  readonly Effect: string;
  readonly Action: string | readonly string[];
  readonly Resource: unknown;
}

const asList = <T>(value: T | readonly T[]): readonly T[] => (Array.isArray(value) ? value : [value as T]);

const functionLogicalId = (name: LambdaName): string =>
  api.getLogicalId(api.functions[name].node.defaultChild as CfnFunction);

/** The `Properties` of one resource, failing loudly (not with `undefined`) when it is missing. */
const propertiesOf = (template: Template, type: string, logicalId: string) => {
  const resource = template.findResources(type)[logicalId];
  if (resource === undefined) throw new Error(`The template has no ${type} ${logicalId}`);
  return resource.Properties;
};

const roleLogicalId = (name: LambdaName): string => {
  const [logicalId] = propertiesOf(apiTemplate, 'AWS::Lambda::Function', functionLogicalId(name)).Role[
    'Fn::GetAtt'
  ] as [string, string];
  return logicalId;
};

/** Every statement of every policy attached to the role of `name`. */
const statementsOf = (name: LambdaName): readonly Statement[] => {
  const role = roleLogicalId(name);
  return Object.values(apiTemplate.findResources('AWS::IAM::Policy'))
    .filter((policy) =>
      (policy.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === `{"Ref":"${role}"}`),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
};

const actionsOf = (name: LambdaName): readonly string[] =>
  statementsOf(name)
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => asList(s.Action));

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

/** The callbacks that record a payment result (verify-order only reads). */
const callbackNames: LambdaName[] = [
  'callback-ok',
  'callback-fail',
  'callback-open',
  'callback-notification',
];

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

  it('keeps every log group, API Gateway execution logs included, for a month', () => {
    apiTemplate.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', Match.arrayWith(['API-Gateway-Execution-Logs_', '/v1'])] },
    });
    apiTemplate.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
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
    '%s runs on arm64 nodejs22.x with its spec, its table and its queue',
    (name, spec) => {
      const fn = propertiesOf(apiTemplate, 'AWS::Lambda::Function', functionLogicalId(name));
      expect(fn).toMatchObject({
        Runtime: 'nodejs22.x',
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

  it('are all arm64 nodejs22.x, whatever their name', () => {
    for (const fn of Object.values(apiTemplate.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    }
  });

  it('keeps payment-status read-only and off the queue', () => {
    const actions = actionsOf('payment-status');
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
    for (const forbidden of [
      'sqs:SendMessage',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    ]) {
      expect(actions).not.toContain(forbidden);
    }
    expect(actions.filter((a) => a.startsWith('sqs:'))).toEqual([]);
  });

  it('lets callback-verify-order read a payment and nothing else', () => {
    expect(
      actionsOf('callback-verify-order').filter((a) => a.startsWith('dynamodb:') || a.startsWith('sqs:')),
    ).toEqual(['dynamodb:GetItem']);
  });

  it('lets create-payment read and write the payment, but not delete it or queue work', () => {
    const actions = actionsOf('create-payment');
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']),
    );
    expect(actions).not.toContain('dynamodb:DeleteItem');
    expect(actions.filter((a) => a.startsWith('sqs:'))).toEqual([]);
  });

  it.each(callbackNames)('lets %s record and queue work, but never delete', (name) => {
    const actions = actionsOf(name);
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'sqs:SendMessage',
      ]),
    );
    expect(actions).not.toContain('dynamodb:DeleteItem');
    expect(actions.filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
  });

  it('gives Query, and only Query, access to the two indexes', () => {
    const indexNames = [paymentsTable.statusIndex.name, paymentsTable.pendingWorkIndex.name];
    for (const name of Object.keys(lambdas) as LambdaName[]) {
      for (const statement of statementsOf(name)) {
        const resources = JSON.stringify(statement.Resource);
        if (indexNames.some((index) => resources.includes(`/index/${index}`))) {
          expect(asList(statement.Action)).toEqual(['dynamodb:Query']);
        }
      }
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

describe('the stateful stack', () => {
  it('keeps the payments table through deletes, with PITR and both indexes', () => {
    statefulTemplate.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
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
    expect(queue?.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * WORKER_TIMEOUT_SECONDS);
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
