import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnGlobalTable } from 'aws-cdk-lib/aws-dynamodb';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import type { CfnSecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { CfnQueue, IQueue } from 'aws-cdk-lib/aws-sqs';
import { paymentsTable } from '../../adapters/dynamodb/payments-table';
import type { LambdaName } from '../../functions/routes';
import { addPaymentsStacks, type PaymentsApp } from '../../infra/payments-app';
import { type PaymentSecretName, paymentSecretNames } from '../../infra/secrets';
import { tempDir } from '../support/temp-dir';

export interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Principal?: unknown;
  readonly Action: string | readonly string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

export const asList = <T>(value: T | readonly T[]): readonly T[] =>
  Array.isArray(value) ? value : [value as T];

/**
 * The secrets each function may read, written out as the specification: what it needs and nothing else.
 * Reading a secret also means holding its `*_SECRET_ARN` variable.
 */
export const secretsRead: Readonly<Record<LambdaName, readonly PaymentSecretName[]>> = {
  'callback-ok': ['altapay-callback'],
  'callback-fail': ['altapay-callback'],
  'callback-open': ['altapay-callback'],
  'callback-notification': ['altapay-callback'],
  'callback-verify-order': ['altapay-callback'],
  // The gateway (API user), and the shop key every order's signature is checked against.
  'create-payment': ['altapay-api', 'shop-order'],
  'payment-status': [],
  // The gateway (API user) only: operations are IAM-signed by the merchant's back end, nothing to verify.
  'capture-payment': ['altapay-api'],
  'refund-payment': ['altapay-api'],
  'release-payment': ['altapay-api'],
  'charge-payment': ['altapay-api'],
  // The gateway (API user), callbacks queued while the table was down (callback secret), signed events.
  'payment-worker': ['altapay-api', 'altapay-callback', 'merchant-webhook'],
  'work-sweeper': [],
  // The gateway (API user), asked about payments whose callback never came.
  reconciler: ['altapay-api'],
};

/**
 * The context `cdk.json` gives every `cdk synth` (the feature flags among it): a test app starts from it,
 * so the tests check the templates the CLI writes.
 */
export const cdkJsonContext: Readonly<Record<string, unknown>> = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../cdk.json', import.meta.url)), 'utf8'),
).context;

/**
 * A CDK app for a test: `cdk.json`'s context, bundling skipped (`npm run synth` covers bundling), AltaPay's
 * test environment (so its test gateway; a test may say `environment: 'production'`), `context` added, and its
 * cloud assembly written to a folder removed after the test file (an `App` without `outdir` makes a
 * `cdk.out*` folder in the temp dir that nothing removes when the test process is ended).
 */
export const testApp = (context: Readonly<Record<string, unknown>> = {}): App =>
  new App({
    outdir: tempDir('cdk.out-'),
    context: { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [], environment: 'test', ...context },
  });

/**
 * The payments app as `infra/app.ts` builds it (cdk-nag packs included) in a `testApp(context)`, synthesised, with readers for its templates.
 * The first `Template.fromStack` runs the cdk-nag packs: it throws on any unacknowledged finding.
 */
export function synthesize(context: Readonly<Record<string, unknown>> = {}) {
  const app = testApp(context);
  const { stateful, api }: PaymentsApp = addPaymentsStacks(app);
  const apiTemplate = Template.fromStack(api);
  const statefulTemplate = Template.fromStack(stateful);

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

  const statefulTableId = (): string =>
    stateful.getLogicalId(stateful.table.node.defaultChild as CfnGlobalTable);

  /** `{ 'Fn::GetAtt': [<queue>, 'Arn'] }` of a queue, in the template of the stack that holds it. */
  const queueArn = (queue: IQueue) => {
    const stack = queue === stateful.workQueue || queue === stateful.workDeadLetterQueue ? stateful : api;
    return { 'Fn::GetAtt': [stack.getLogicalId(queue.node.defaultChild as CfnQueue), 'Arn'] };
  };

  /** `{ Ref: <secret> }` (its ARN) of one of the stateful stack's secrets. */
  const secretRef = (name: PaymentSecretName) => ({
    Ref: stateful.getLogicalId(stateful.secrets[name].node.defaultChild as CfnSecret),
  });

  /**
   * What the API stack reads from the stateful stack (an `Fn::GetStackOutput` of one of its outputs), as
   * the stateful stack's template writes it (e.g. `{ 'Fn::GetAtt': ['WorkQueue…', 'Arn'] }`); any other
   * value as it is. Lets a test tell the work queue from its dead-letter queue behind the generated
   * output names.
   */
  const imported = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null || !('Fn::GetStackOutput' in value)) return value;
    const { StackName, OutputName } = value['Fn::GetStackOutput'] as {
      StackName: string;
      OutputName: string;
    };
    if (StackName !== stateful.stackName) throw new Error(`An output of another stack: ${StackName}`);
    const output = statefulTemplate.findOutputs(OutputName)[OutputName];
    if (output === undefined)
      throw new Error(`The stateful stack has no output ${JSON.stringify(OutputName)}`);
    return output.Value;
  };

  /** `imported`, also inside `Fn::Join` parts (an index ARN is the imported table ARN joined with a suffix). */
  const resolved = (value: unknown): unknown => {
    const join = (value as { 'Fn::Join'?: [string, unknown[]] } | null)?.['Fn::Join'];
    return join === undefined ? imported(value) : { 'Fn::Join': [join[0], join[1].map(imported)] };
  };

  /**
   * The resources a statement of `name` can name, by a readable label: the table, `index <name>`, `work
   * queue`, `work dead-letter queue`, `own dead-letter queue`, `own log group`, `secret <name>`, `*`.
   */
  const resourceLabels = (name: LambdaName): ReadonlyMap<string, string> => {
    const fn = api.functions[name];
    const table = { 'Fn::GetAtt': [statefulTableId(), 'Arn'] };
    const labels: [string, unknown][] = [
      ['table', table],
      ...[paymentsTable.statusIndex.name, paymentsTable.pendingWorkIndex.name].map(
        (index): [string, unknown] => [`index ${index}`, { 'Fn::Join': ['', [table, `/index/${index}`]] }],
      ),
      ['work queue', queueArn(stateful.workQueue)],
      ['work dead-letter queue', queueArn(stateful.workDeadLetterQueue)],
      ...(fn.deadLetterQueue
        ? [['own dead-letter queue', queueArn(fn.deadLetterQueue)] as [string, unknown]]
        : []),
      [
        'own log group',
        { 'Fn::GetAtt': [api.getLogicalId(fn.logGroup.node.defaultChild as CfnLogGroup), 'Arn'] },
      ],
      ...paymentSecretNames.map((secret): [string, unknown] => [`secret ${secret}`, secretRef(secret)]),
      ['*', '*'],
    ];
    return new Map(labels.map(([label, resource]) => [JSON.stringify(resource), label]));
  };

  /**
   * Everything the role of `name` allows, as `{ <resource label>: [actions, sorted] }` (see
   * `resourceLabels`); a resource without a label is listed as its JSON, so it shows in a failed test.
   */
  const permissionsOf = (name: LambdaName): Record<string, readonly string[]> => {
    const labels = resourceLabels(name);
    const permissions: Record<string, Set<string>> = {};
    for (const statement of statementsOf(name)) {
      if (statement.Effect !== 'Allow' || statement.Condition !== undefined) {
        throw new Error(`${name}: a statement that is not a plain Allow: ${JSON.stringify(statement)}`);
      }
      for (const resource of asList(statement.Resource)) {
        const key = JSON.stringify(resolved(resource));
        const label = labels.get(key) ?? key;
        permissions[label] ??= new Set();
        for (const action of asList(statement.Action)) permissions[label].add(action);
      }
    }
    return Object.fromEntries(
      Object.entries(permissions).map(([label, actions]) => [label, [...actions].sort()]),
    );
  };

  const environmentOf = (
    template: Template,
    stack: typeof api,
    name: LambdaName,
  ): Record<string, unknown> => {
    const logicalId = stack.getLogicalId(stack.functions[name].node.defaultChild as CfnFunction);
    return propertiesOf(template, 'AWS::Lambda::Function', logicalId).Environment.Variables;
  };

  return {
    app,
    stateful,
    api,
    apiTemplate,
    statefulTemplate,
    functionLogicalId,
    propertiesOf,
    statementsOf,
    statefulTableId,
    queueArn,
    secretRef,
    imported,
    permissionsOf,
    environmentOf,
  };
}

export type Synthesized = ReturnType<typeof synthesize>;
