import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { metricsNamespace } from '../../functions/metrics';
import { type LambdaName, lambdas } from '../../functions/routes';
import { allowedLogRetentionDays } from '../../infra/log-retention';
import { addPaymentsStacks } from '../../infra/payments-app';
import { cdkJsonContext, synthesize, testApp } from './support';

// What makes a deploy repeatable and a second copy harmless: removal policies that let a failed first
// deploy be retried, names that cannot collide across copies and regions, per-copy metrics and API name,
// one owner of the region's API Gateway account setting, no exports to deadlock on, a year of logs, the
// recommended feature flags.

const account = '111111111111';
const production = synthesize({ account, region: 'eu-west-1' });
const testCopy = synthesize({ account, region: 'eu-west-1', stackPrefix: 'AltaPayTest' });
const otherRegion = synthesize({ account, region: 'eu-central-1' });

const templatesOf = (synthesized: ReturnType<typeof synthesize>): readonly Template[] => [
  synthesized.statefulTemplate,
  synthesized.apiTemplate,
];

type Resource = { readonly Type: string; readonly Properties?: Record<string, unknown> };
const resourcesOf = (template: Template): readonly Resource[] =>
  Object.values(template.toJSON().Resources as Record<string, Resource>);

/**
 * Properties ending in `Name` that name no account-level thing: a metric, a label, or a name scoped to
 * its parent (an inline policy within its role, a stage within its API).
 */
const notPhysicalNames = new Set(['MetricName', 'DisplayName', 'PolicyName', 'StageName']);

/**
 * Every literal physical name a copy gives its resources (`Name`, `TableName`, `AlarmName`, ...), by
 * resource type. A name built from a `Ref` to one of its own resources is unique already and left out.
 */
const physicalNames = (synthesized: ReturnType<typeof synthesize>): ReadonlyMap<string, string> => {
  const names = new Map<string, string>();
  for (const template of templatesOf(synthesized)) {
    for (const resource of resourcesOf(template)) {
      for (const [key, value] of Object.entries(resource.Properties ?? {})) {
        if (!key.endsWith('Name') || notPhysicalNames.has(key) || typeof value !== 'string') continue;
        names.set(`${resource.Type} ${value}`, resource.Type);
      }
    }
  }
  return names;
};

/** Resource types whose names are unique in the account across every region. */
const accountWideTypes = new Set(['AWS::CloudWatch::Dashboard', 'AWS::IAM::Role', 'AWS::IAM::ManagedPolicy']);

describe('a failed first deploy', () => {
  it('can be retried: the table, the work queues and the secrets are kept except when their create rolls back', () => {
    const retained = [
      ...Object.values(production.statefulTemplate.findResources('AWS::SecretsManager::Secret')),
      ...Object.values(production.statefulTemplate.findResources('AWS::DynamoDB::GlobalTable')),
      ...Object.values(production.statefulTemplate.findResources('AWS::SQS::Queue')),
    ];
    expect(retained).toHaveLength(4 + 1 + 2);
    for (const resource of retained) {
      expect(resource).toMatchObject({
        DeletionPolicy: 'RetainExceptOnCreate',
        UpdateReplacePolicy: 'Retain',
      });
    }
  });
});

describe('two copies in one account, and one app in two regions', () => {
  it('share no physical name', () => {
    const names = physicalNames(production);
    expect(names.size).toBeGreaterThan(0);
    const sharedWithTestCopy = [...physicalNames(testCopy).keys()].filter((name) => names.has(name));
    expect(sharedWithTestCopy).toEqual([]);
    // Regional names (secrets, alarms) may repeat in another region; account-wide ones may not.
    const sharedAcrossRegions = [...physicalNames(otherRegion)]
      .filter(([name, type]) => accountWideTypes.has(type) && names.has(name))
      .map(([name]) => name);
    expect(sharedAcrossRegions).toEqual([]);
  });

  it('name the dashboard after the stack and the region', () => {
    production.apiTemplate.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: 'AltaPay-Api-eu-west-1',
    });
    otherRegion.apiTemplate.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: 'AltaPay-Api-eu-central-1',
    });
  });

  it('each have their own REST API name and metric service, which their alarms and dashboard watch', () => {
    for (const [copy, apiName, service] of [
      [production, 'AltaPay-Api', 'altapay-payments'],
      [testCopy, 'AltaPayTest-Api', 'altapaytest-payments'],
    ] as const) {
      copy.apiTemplate.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: apiName });
      for (const name of Object.keys(lambdas) as LambdaName[]) {
        expect(copy.environmentOf(copy.apiTemplate, copy.api, name).POWERTOOLS_SERVICE_NAME, name).toBe(
          service,
        );
      }
      const alarms = resourcesOf(copy.apiTemplate).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
      const dimensions = alarms.flatMap((alarm) => {
        const properties = alarm.Properties as {
          Namespace?: string;
          Dimensions?: { Name: string; Value: unknown }[];
        };
        return properties.Dimensions?.map((d) => ({ namespace: properties.Namespace, ...d })) ?? [];
      });
      const custom = dimensions.filter((d) => d.namespace === metricsNamespace && d.Name === 'service');
      expect(custom.length).toBeGreaterThan(0);
      for (const dimension of custom) expect(dimension.Value).toBe(service);
      for (const dimension of dimensions.filter((d) => d.Name === 'ApiName')) {
        expect(dimension.Value).toBe(apiName);
      }
      const body = JSON.stringify(
        Object.values(copy.apiTemplate.findResources('AWS::CloudWatch::Dashboard'))[0]?.Properties,
      );
      expect(body).toContain(`service=\\\\\\"${service}\\\\\\"`);
      expect(
        body.match(/service=\\\\\\"([a-z0-9-]+)\\\\\\"/g)?.every((m) => m.includes(`"${service}\\`)),
      ).toBe(true);
    }
  });
});

describe("the region's API Gateway account setting", () => {
  const accountSettings = (template: Template) =>
    Object.keys(template.findResources('AWS::ApiGateway::Account')).length;

  it('is owned by the default copy only, unless a copy is told to own it', () => {
    expect(accountSettings(production.apiTemplate)).toBe(1);
    expect(accountSettings(testCopy.apiTemplate)).toBe(0);
    const owner = synthesize({ stackPrefix: 'AltaPayTest', apiGatewayAccountRole: 'true' });
    expect(accountSettings(owner.apiTemplate)).toBe(1);
    const notOwner = synthesize({ apiGatewayAccountRole: 'false' });
    expect(accountSettings(notOwner.apiTemplate)).toBe(0);
    expect(
      Object.keys(notOwner.apiTemplate.findResources('AWS::IAM::Role')).filter((id) =>
        id.startsWith('PaymentsApiCloudWatchRole'),
      ),
    ).toEqual([]);
  });

  it('and its role outlive the stack that owns them', () => {
    for (const type of ['AWS::ApiGateway::Account', 'AWS::IAM::Role']) {
      const owned = Object.entries(production.apiTemplate.findResources(type)).filter(
        ([id]) => id.startsWith('PaymentsApiCloudWatchRole') || id.startsWith('PaymentsApiAccount'),
      );
      expect(owned, type).toHaveLength(1);
      expect(owned[0]?.[1]).toMatchObject({ DeletionPolicy: 'RetainExceptOnCreate' });
    }
  });
});

describe('the references between the stacks', () => {
  it('are read from the stateful stack without exports, so no later update deadlocks on one', () => {
    for (const copy of [production, testCopy]) {
      expect(JSON.stringify(copy.apiTemplate.toJSON())).not.toContain('Fn::ImportValue');
      expect(JSON.stringify(copy.apiTemplate.toJSON())).toContain('Fn::GetStackOutput');
      for (const output of Object.values(copy.statefulTemplate.findOutputs('*'))) {
        expect(output.Export).toBeUndefined();
      }
      // The API stack is still deployed after the stateful one.
      expect(copy.api.dependencies).toContain(copy.stateful);
    }
  });

  it('keep the old exports for one deploy with -c keepCrossStackExports=true, while the API stops importing them', () => {
    const moving = synthesize({ keepCrossStackExports: 'true' });
    expect(JSON.stringify(moving.apiTemplate.toJSON())).not.toContain('Fn::ImportValue');
    const exported = Object.values(moving.statefulTemplate.findOutputs('*')).filter((o) => o.Export);
    expect(exported.length).toBeGreaterThan(0);
  });
});

describe('log retention', () => {
  const retentions = (template: Template) =>
    Object.values(template.findResources('AWS::Logs::LogGroup')).map((g) => g.Properties.RetentionInDays);

  it('keeps every log group a year unless -c logRetentionDays says otherwise', () => {
    const groups = retentions(production.apiTemplate);
    // One per function, the API's access and execution logs.
    expect(groups).toHaveLength(Object.keys(lambdas).length + 2);
    expect(new Set(groups)).toEqual(new Set([365]));
    const longer = synthesize({ logRetentionDays: '731' });
    expect(new Set(retentions(longer.apiTemplate))).toEqual(new Set([731]));
  });

  it('refuses a period CloudWatch does not offer, naming the ones it does', () => {
    expect(allowedLogRetentionDays).toContain(365);
    for (const days of ['366', '0', 'year']) {
      expect(() => addPaymentsStacks(testApp({ logRetentionDays: days }))).toThrow(/logRetentionDays/);
    }
    expect(() => addPaymentsStacks(testApp({ logRetentionDays: '366' }))).toThrow(/1, 3, 5, 7, 14, 30/);
  });
});

describe('the CDK feature flags', () => {
  it('are the ones this aws-cdk-lib recommends, each at its recommended value (cdk.json)', () => {
    const recommended: Record<string, unknown> = JSON.parse(
      readFileSync(
        fileURLToPath(
          new URL('../../node_modules/aws-cdk-lib/recommended-feature-flags.json', import.meta.url),
        ),
        'utf8',
      ),
    );
    expect(Object.keys(recommended).length).toBeGreaterThan(0);
    const differing = Object.entries(recommended).filter(
      ([flag, value]) => JSON.stringify(cdkJsonContext[flag]) !== JSON.stringify(value),
    );
    expect(differing).toEqual([]);
  });
});
