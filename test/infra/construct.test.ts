import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { AltaPayPayments, type AltaPayPaymentsProps, PaymentsData } from '../../infra';
import { addPaymentsStacks } from '../../infra/payments-app';
import { tempDir } from '../support/temp-dir';
import { cdkJsonContext, testApp } from './support';
import { templateShape } from './template-shape';

const certificateArn = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc-123';

/** Each resource's construct path in its metadata, as the CDK CLI has it written (templateShape reads it). */
const pathMetadata = { 'aws:cdk:enable-path-metadata': true };

/**
 * A merchant's CDK app: `cdk.json`'s feature flags (a merchant's app has its own; ours are the
 * recommended ones CDK writes into a new app), bundling skipped, and cdk-nag's packs as its own
 * validation, so an unacknowledged finding inside the construct fails its synth.
 */
const hostApp = (): App => {
  const app = new App({
    outdir: tempDir('host-cdk.out-'),
    context: { ...cdkJsonContext, ...pathMetadata, 'aws:cdk:bundling-stacks': [] },
  });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new ServerlessChecks(app, { verbose: true }),
  );
  return app;
};

const templatesOf = (app: App): Record<string, object> => {
  const assembly = app.synth();
  return Object.fromEntries(assembly.stacks.map((stack) => [stack.stackName, stack.template]));
};

/**
 * Unique IDs in construct paths (`SqsEventSource:AltaPayStatefulWorkQueue632074D1`) differ with the tree,
 * and so do the functions' asset hashes here: with bundling skipped (as in every infra test), CDK hashes a
 * construct's path instead of the bundle it would build.
 */
const withoutUniqueIds = (shape: ReturnType<typeof templateShape>) =>
  JSON.parse(
    JSON.stringify(shape)
      // Hashes first: one ending in eight digits would otherwise pass for a unique ID.
      .replaceAll(/"[0-9a-f]{64}\.zip"/g, '"<asset>.zip"')
      .replaceAll(/[A-Za-z0-9]*[0-9A-F]{8}(?=[./"]|$)/g, '<id>'),
  );

/** The same settings as our app's context (strings, a file name) and as the construct's props. */
const settings = {
  context: {
    altapayTerminal: 'Shop Test Terminal',
    merchantWebhookUrl: 'https://shop.example/altapay-events',
    eventBus: 'default',
    autoCapture: 'true',
    logRetentionDays: '30',
    workerMaxConcurrency: '3',
    customDomainName: 'pay.shop.dk',
    certificateArn,
    basePath: 'altapay',
  },
  props: {
    environment: 'test',
    altapayTerminal: 'Shop Test Terminal',
    merchantWebhookUrl: 'https://shop.example/altapay-events',
    eventBus: 'default',
    autoCapture: true,
    logRetentionDays: 30,
    workerMaxConcurrency: 3,
    customDomain: { domainName: 'pay.shop.dk', certificateArn, basePath: 'altapay' },
    // What our app sets for its default prefix.
    apiGatewayAccountRole: true,
  },
} satisfies { context: Record<string, string>; props: AltaPayPaymentsProps };

describe('AltaPayPayments in a host app', () => {
  it('deploys, in one stack of the host, exactly what our own two stacks deploy for the same settings', () => {
    const ours = templatesOf(
      (() => {
        const app = testApp({ ...settings.context, ...pathMetadata });
        addPaymentsStacks(app);
        return app;
      })(),
    );
    const app = hostApp();
    // The stack named as our API stack: its name is part of some names (the REST API, the dashboard).
    new AltaPayPayments(new Stack(app, 'AltaPay-Api'), 'Payments', settings.props);
    const host = templatesOf(app);

    const ourShape = withoutUniqueIds(
      templateShape(ours, ['AltaPay-Api/Default/', 'AltaPay-Stateful/Default/']),
    );
    const hostShape = withoutUniqueIds(
      templateShape(host, ['AltaPay-Api/Payments/Api/', 'AltaPay-Api/Payments/Data/']),
    );
    expect(Object.keys(hostShape.resources).sort()).toEqual(Object.keys(ourShape.resources).sort());
    expect(hostShape).toEqual(ourShape);
    // Not an empty comparison: the whole product is in it.
    expect(Object.keys(ourShape.resources).length).toBeGreaterThan(150);
    expect(hostShape.parameters).toContain('AlarmEmail');
  });

  it('passes cdk-nag inside the host app: the acknowledgements travel with the construct', () => {
    const app = hostApp();
    new AltaPayPayments(new Stack(app, 'Shop'), 'Payments', { environment: 'test' });
    expect(() => app.synth()).not.toThrow();
    // And the packs do run there: an unacknowledged finding beside the construct fails the same synth.
    const failing = hostApp();
    const stack = new Stack(failing, 'Shop');
    new AltaPayPayments(stack, 'Payments', { environment: 'test' });
    new Topic(stack, 'UnencryptedTopic');
    expect(() => failing.synth()).toThrow();
  });

  it("sends every alarm to the host's own SNS topic when given one: no topic, key or AlarmEmail of its own", () => {
    const app = hostApp();
    const stack = new Stack(app, 'Shop');
    const topic = new Topic(stack, 'OpsTopic', { enforceSSL: true, masterKey: undefined });
    Validations.of(topic).acknowledge(
      { id: 'AwsSolutions-SNS2', reason: 'A test topic' },
      { id: 'Serverless-SNSRedrivePolicy', reason: 'A test topic' },
    );
    const payments = new AltaPayPayments(stack, 'Payments', { environment: 'test', alarmTopic: topic });
    const template = Template.fromStack(stack);

    expect(payments.alarmTopic).toBe(topic);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(template.findParameters('AlarmEmail')).toEqual({});
    const topicId = stack.getLogicalId(topic.node.defaultChild as never);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(30);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
  });

  it('e-mails alarms to alarmEmail instead of asking for the AlarmEmail parameter', () => {
    const app = hostApp();
    const stack = new Stack(app, 'Shop');
    new AltaPayPayments(stack, 'Payments', { environment: 'test', alarmEmail: 'ops@shop.dk' });
    const template = Template.fromStack(stack);
    expect(template.findParameters('AlarmEmail')).toEqual({});
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@shop.dk' });
  });

  it('takes the table, queues and secrets from a PaymentsData in a long-lived stack of their own', () => {
    const app = hostApp();
    const data = new PaymentsData(new Stack(app, 'ShopData'), 'PaymentsData', { secretNamePrefix: 'Shop' });
    const apiStack = new Stack(app, 'ShopPayments');
    const payments = new AltaPayPayments(apiStack, 'Payments', { environment: 'test', prefix: 'Shop', data });

    expect(payments.table).toBe(data.table);
    const dataTemplate = Template.fromStack(data.node.scope as Stack);
    const apiTemplate = Template.fromStack(apiStack);
    dataTemplate.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    dataTemplate.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'Shop/altapay/api' });
    apiTemplate.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
    apiTemplate.resourceCountIs('AWS::SQS::Queue', 2); // the two schedules' own dead-letter queues
    apiTemplate.resourceCountIs('AWS::Lambda::Function', 14);
  });

  it('exposes what a host stack wires to: the API, the table, the queues, the functions, the event bus', () => {
    const app = hostApp();
    const stack = new Stack(app, 'Shop');
    const payments = new AltaPayPayments(stack, 'Payments', {
      environment: 'test',
      eventBus: 'arn:aws:events:eu-west-1:123456789012:event-bus/shop-events',
    });
    expect(payments.api.restApiName).toBe('Shop');
    expect(Object.keys(payments.functions)).toHaveLength(14);
    expect(stack.resolve(payments.eventBus?.eventBusArn)).toBe(
      'arn:aws:events:eu-west-1:123456789012:event-bus/shop-events',
    );
    expect(new AltaPayPayments(new Stack(app, 'NoBus'), 'Payments', { environment: 'test' }).eventBus).toBe(
      undefined,
    );
  });
});

describe('AltaPayPayments props, checked at synth with messages that name the prop', () => {
  it.each<[string, Partial<AltaPayPaymentsProps>, RegExp]>([
    [
      'production without a gateway',
      { environment: undefined },
      /^AltaPayPayments prop altapayGatewayUrl is not set and environment is production/,
    ],
    [
      'an http gateway',
      { altapayGatewayUrl: 'http://shop.altapaysecure.com' },
      /^AltaPayPayments prop altapayGatewayUrl must be an https URL/,
    ],
    [
      'a webhook with credentials',
      { merchantWebhookUrl: 'https://u:p@shop.example/x' },
      /^AltaPayPayments prop merchantWebhookUrl must not carry credentials/,
    ],
    [
      'a worker cap of 1',
      { workerMaxConcurrency: 1 },
      /^AltaPayPayments prop workerMaxConcurrency must be a whole number from 2 to 1000, not 1$/,
    ],
    [
      'a fractional rate limit',
      { checkoutRateLimit: 10.5 },
      /^AltaPayPayments prop checkoutRateLimit must be a whole number/,
    ],
    [
      'a log retention CloudWatch does not offer',
      { logRetentionDays: 4 },
      /^AltaPayPayments prop logRetentionDays/,
    ],
    [
      'an unknown environment',
      { environment: 'staging' as never },
      /^AltaPayPayments prop environment must be production or test/,
    ],
    [
      'a string for a boolean',
      { autoCapture: 'yes' as never },
      /^AltaPayPayments prop autoCapture must be true or false/,
    ],
    [
      'both terminal settings',
      { altapayTerminal: 'A', altapayTerminals: [] },
      /^AltaPayPayments prop altapayTerminal and altapayTerminals are both set/,
    ],
    [
      // The types refuse it already; a JavaScript host gets the same words at synth.
      'a terminal list entry without a name',
      { altapayTerminals: [{ terminal: 'T' }] as never },
      /^AltaPayPayments prop altapayTerminals/,
    ],
    [
      'a bad custom domain',
      { customDomain: { domainName: 'Pay_Shop', certificateArn } },
      /^AltaPayPayments prop customDomain\.domainName must be a lower-case host name/,
    ],
    [
      'a bad certificate',
      { customDomain: { domainName: 'pay.shop.dk', certificateArn: 'cert' } },
      /^AltaPayPayments prop customDomain\.certificateArn must be the ARN/,
    ],
    [
      'a public base URL with a query',
      { publicBaseUrl: 'https://pay.shop.dk/?a=1' },
      /^AltaPayPayments prop publicBaseUrl must be the API's base URL without \? or #/,
    ],
    [
      'page texts that are not texts',
      { pageTexts: { noSuchText: 'x' } as never },
      /^AltaPayPayments prop pageTexts: /,
    ],
    [
      'a bad event bus',
      { eventBus: 'no spaces allowed' },
      /^AltaPayPayments prop eventBus must be default, a bus name or a bus ARN/,
    ],
    ['a bad prefix', { prefix: '1shop' }, /^AltaPayPayments prop prefix must start with a letter/],
    [
      'a bad alarm e-mail',
      { alarmEmail: 'ops' },
      /^AltaPayPayments prop alarmEmail must be one e-mail address/,
    ],
  ])('refuses %s', (_case, props, message) => {
    const app = hostApp();
    const stack = new Stack(app, 'Shop');
    expect(() => new AltaPayPayments(stack, 'Payments', { environment: 'test', ...props })).toThrow(message);
    // Refused before anything was added to the host's stack.
    expect(stack.node.tryFindChild('Payments')?.node.children ?? []).toEqual([]);
  });

  it('refuses an alarm topic and an alarm e-mail together', () => {
    const stack = new Stack(hostApp(), 'Shop');
    const topic = new Topic(stack, 'OpsTopic');
    expect(
      () =>
        new AltaPayPayments(stack, 'Payments', {
          environment: 'test',
          alarmTopic: topic,
          alarmEmail: 'ops@shop.dk',
        }),
    ).toThrow(/^AltaPayPayments prop alarmTopic and AltaPayPayments prop alarmEmail are both set/);
  });
});
