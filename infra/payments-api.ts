import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  type IRequestValidator,
  LambdaIntegration,
  LogGroupLogDestination,
  type MethodDeploymentOptions,
  MethodLoggingLevel,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { paymentsTable } from '../adapters/dynamodb/payments-table';
import type { TableTarget } from '../adapters/dynamodb/table-calls';
import {
  type EventSource,
  eventSources,
  type HttpRoute,
  httpRoutes,
  type LambdaName,
  lambdas,
  type RouteAccess,
} from '../functions/routes';
import { callbackMethodOptions } from './callback-rejections';
import { CheckoutRateLimit } from './checkout-rate-limit';
import { CustomDomain } from './custom-domain';
import type { DeploymentSettings } from './deployment-settings';
import {
  type FunctionAccess,
  functionAccess,
  type QueueName,
  type Setting,
  tableActionsOf,
} from './function-access';
import { logRetention } from './log-retention';
import { pascalCase } from './names';
import { Operations } from './operations';
import { WORK_QUEUE_MAX_RECEIVE_COUNT } from './payments-data';
import { PaymentsFunction } from './payments-function';
import { apiResourcePolicy } from './resource-policy';
import { type PaymentSecretName, paymentSecrets } from './secrets';

export interface PaymentsApiProps {
  readonly table: ITableV2;
  readonly workQueue: IQueue;
  readonly workDeadLetterQueue: IQueue;
  readonly secrets: Readonly<Record<PaymentSecretName, ISecret>>;
  readonly settings: DeploymentSettings;
  /** `POWERTOOLS_SERVICE_NAME` and the metrics' `service` dimension of this copy (deployment-names.ts). */
  readonly serviceName: string;
  /** The SNS topic every alarm notifies; unset: a topic of its own (alarm-topic.ts). */
  readonly alarmTopic?: ITopic;
  /** Where that topic of its own e-mails alarms; unset: the stack's `AlarmEmail` parameter. */
  readonly alarmEmail?: string;
}

/** The one stage; its name is the version segment of every URL. */
const STAGE_NAME = 'v1';

/** What can invoke a function: an HTTP route or one of the kinds of `eventSources`. */
type Invoker = 'http' | EventSource['kind'];

type Invocation = { readonly async: true } | { readonly async: false; readonly onFailure: string };

/**
 * How each invoker calls a function. Lambda queues an asynchronous invocation and retries it, so a
 * function invoked that way gets a dead-letter queue; a synchronous caller sees the failure itself, and
 * the text says who deals with it (the reason the Lambda DLQ rule is acknowledged).
 */
const invocation: Readonly<Record<Invoker, Invocation>> = {
  http: {
    async: false,
    onFailure: 'API Gateway invokes it synchronously and answers a failure with a 5xx to the caller.',
  },
  'work-queue': {
    async: false,
    onFailure:
      'Its SQS event source mapping invokes it synchronously; a message that keeps failing goes to the ' +
      "work dead-letter queue (moved by the worker with the reason, or by the queue's redrive policy).",
  },
  schedule: { async: true },
};

const authorizationFor: Readonly<Record<RouteAccess, AuthorizationType>> = {
  gateway: AuthorizationType.NONE,
  iam: AuthorizationType.IAM,
  public: AuthorizationType.NONE,
};

/** Why a route without a Cognito authorizer (all of them) or without any authorizer is acceptable. */
const openRouteReasons: Readonly<Record<RouteAccess, string>> = {
  gateway:
    'Called by the AltaPay gateway, which cannot sign requests (no SigV4, no Cognito token). The handler ' +
    'authenticates each callback by its checksum over the raw body, and with restrictCallbacksToAltaPay ' +
    "(the default) the API's resource policy refuses every address but AltaPay's.",
  iam:
    'IAM (SigV4) authorisation: callers are operators and the merchant back end holding AWS credentials; ' +
    'there are no end users, so no Cognito user pool.',
  public:
    "Public by design (RouteAccess 'public'): a customer's browser posts the shop's checkout form, so it " +
    'carries no AWS credentials and there are no user accounts. What it may start is decided by the ' +
    "shop: every order must be signed by the shop's back end with the shop key (HMAC-SHA256 in the " +
    "Order-Signature header or the form's signature field, key in Secrets Manager), and an unsigned, " +
    'tampered or expired order is refused before anything reaches the gateway or the table. Abuse is ' +
    'bounded by the AWS WAF web ACL ' +
    '(CheckoutRateLimit: a rate-based rule per client address on POST /payments, on unless the ' +
    'deployment turns it off) and the stage throttle.',
};

/** Everything that invokes `name`. A function nothing invokes is a mistake in `routes.ts`: synth fails. */
const invokersOf = (name: LambdaName): readonly Invoker[] => {
  const invokers = new Set<Invoker>([
    ...httpRoutes.filter((route) => route.lambda === name).map((): Invoker => 'http'),
    ...eventSources.filter((source) => source.lambda === name).map((source) => source.kind),
  ]);
  if (invokers.size === 0) {
    throw new Error(
      `${name} has neither an HTTP route nor an event source in functions/routes.ts: nothing would invoke it`,
    );
  }
  return [...invokers];
};

/** `{shopOrderId}` segments of a route path, as API Gateway request parameters. */
const pathParameters = (path: string): Record<string, boolean> | undefined => {
  const parameters = Object.fromEntries(
    path
      .split('/')
      .filter((segment) => segment.startsWith('{') && segment.endsWith('}'))
      .map((segment) => [`method.request.path.${segment.slice(1, -1)}`, true]),
  );
  return Object.keys(parameters).length > 0 ? parameters : undefined;
};

/**
 * The stateless half: one `PaymentsFunction` per entry of `lambdas`, a REST API generated from
 * `httpRoutes`, and the invokers of `eventSources` (the work queue's event source mapping, schedules).
 * Holds no data worth keeping, so it can be destroyed and redeployed freely; the table and queues come
 * in as props (`PaymentsData`, in the same stack or another). One per stack: the API and the dashboard
 * are named after the stack.
 */
export class PaymentsApi extends Construct {
  readonly api: RestApi;
  readonly functions: Readonly<Record<LambdaName, PaymentsFunction>>;
  /** The alarm topic, the alarms and the dashboard. */
  readonly operations: Operations;
  /** The API's custom domain and base-path mapping; undefined without `-c customDomainName`. */
  readonly customDomain?: CustomDomain;
  /** The WAF web ACL on POST /payments; undefined with `-c waf=false`. */
  readonly checkoutRateLimit?: CheckoutRateLimit;

  constructor(scope: Construct, id: string, props: PaymentsApiProps) {
    super(scope, id);
    const { table, workQueue, workDeadLetterQueue, secrets, settings, serviceName } = props;
    const stack = Stack.of(this);
    const retention = logRetention(settings.logRetentionDays);

    const tableArn = table.tableArn;
    const tableArns: Readonly<Record<TableTarget, string>> = {
      table: tableArn,
      [paymentsTable.statusIndex.name]: `${tableArn}/index/${paymentsTable.statusIndex.name}`,
      [paymentsTable.pendingWorkIndex.name]: `${tableArn}/index/${paymentsTable.pendingWorkIndex.name}`,
    };
    const queues: Readonly<Record<QueueName, IQueue>> = {
      work: workQueue,
      'work-dead-letter': workDeadLetterQueue,
    };
    // The one place setting values come from; `undefined` means the variable is not passed at all.
    const settingValues: Readonly<Record<Setting, string | undefined>> = {
      AUTO_CAPTURE: String(settings.autoCapture),
      MERCHANT_WEBHOOK_URL: settings.merchantWebhookUrl,
      EVENT_BUS_NAME: settings.eventBus,
      ALTAPAY_GATEWAY_URL: settings.altapayGatewayUrl,
      ALTAPAY_TERMINAL: settings.altapayTerminal,
      ALTAPAY_TERMINALS: settings.altapayTerminals,
      RECONCILE_AFTER_MINUTES:
        settings.reconcileAfterMinutes === undefined ? undefined : String(settings.reconcileAfterMinutes),
      SHOP_URL: settings.shopUrl,
      SHOP_CHECKOUT_URL: settings.shopCheckoutUrl,
      PAGE_TEXTS: settings.pageTexts,
      PUBLIC_BASE_URL: settings.publicBaseUrl,
    };
    const environmentOf = (access: FunctionAccess): Record<string, string> => ({
      PAYMENTS_TABLE_NAME: table.tableName,
      WORK_QUEUE_URL: workQueue.queueUrl,
      ...(access.sendsTo.includes('work-dead-letter')
        ? {
            WORK_DLQ_URL: workDeadLetterQueue.queueUrl,
            // The worker parks a message itself on the last receive SQS allows, with the reason attached.
            WORK_MAX_ATTEMPTS: String(WORK_QUEUE_MAX_RECEIVE_COUNT),
          }
        : {}),
      ...Object.fromEntries(
        access.settings.flatMap((setting) => {
          const value = settingValues[setting];
          return value === undefined ? [] : [[setting, value]];
        }),
      ),
      // The ARN, never the value: the function fetches the value itself at start-up.
      ...Object.fromEntries(
        access.secrets.map((name) => [paymentSecrets[name].arnVariable, secrets[name].secretArn]),
      ),
      ...(access.secrets.length > 0 && settings.secretsVersion !== undefined
        ? { SECRETS_VERSION: settings.secretsVersion }
        : {}),
    });

    const functions = {} as Record<LambdaName, PaymentsFunction>;
    for (const name of Object.keys(lambdas) as LambdaName[]) {
      const invokers = invokersOf(name);
      const synchronousOnly = invokers.every((invoker) => !invocation[invoker].async);
      const access = functionAccess[name];
      const fn = new PaymentsFunction(this, pascalCase(name), {
        spec: lambdas[name],
        environment: environmentOf(access),
        serviceName,
        logRetention: retention,
        deadLetterQueue: synchronousOnly ? undefined : this.asyncDeadLetterQueue(name),
      });
      for (const [target, actions] of tableActionsOf(access)) {
        fn.addToRolePolicy(new PolicyStatement({ actions: [...actions], resources: [tableArns[target]] }));
      }
      // The queue adapters only send, and the function knows each queue's URL from its settings: no
      // GetQueueUrl or GetQueueAttributes (what `grantSendMessages` would add).
      for (const queue of access.sendsTo) {
        fn.addToRolePolicy(
          new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queues[queue].queueArn] }),
        );
      }
      // The bus the events go to, and no other: the setting and its permission come together.
      if (access.settings.includes('EVENT_BUS_NAME') && settings.eventBus !== undefined) {
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['events:PutEvents'],
            resources: [eventBusArn(stack, settings.eventBus)],
          }),
        );
      }
      // Powertools' getSecret sends GetSecretValue only: no DescribeSecret (what `grantRead` would add).
      for (const secret of access.secrets) {
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['secretsmanager:GetSecretValue'],
            resources: [secrets[secret].secretArn],
          }),
        );
      }
      if (synchronousOnly) {
        Validations.of(fn).acknowledge({
          id: 'Serverless-LambdaDLQ',
          reason: [
            'A Lambda dead-letter queue receives failed asynchronous invocations only, and nothing invokes ' +
              'this function asynchronously.',
            ...invokers.flatMap((invoker) => {
              const how = invocation[invoker];
              return how.async ? [] : [how.onFailure];
            }),
          ].join(' '),
        });
      }
      functions[name] = fn;
    }
    this.functions = functions;

    for (const source of eventSources) {
      this.addEventSource(source, functions[source.lambda], workQueue, settings);
    }

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention });

    // The stage's settings for every method; the callback methods repeat them (callback-rejections.ts).
    const methodDefaults: MethodDeploymentOptions = {
      // Caps what a flood can cost in Lambda and DynamoDB; raise it with the shop's peak order rate.
      throttlingRateLimit: 50,
      throttlingBurstLimit: 100,
      loggingLevel: MethodLoggingLevel.ERROR,
      // Never log request bodies: callbacks carry customer and card data.
      dataTraceEnabled: false,
    };
    const policy = apiResourcePolicy(httpRoutes, settings);
    this.api = new RestApi(this, 'PaymentsApi', {
      // The API's name is the `ApiName` dimension of its metrics: per stack, so each copy's alarms see
      // its own traffic only.
      restApiName: stack.stackName,
      description: 'AltaPay callbacks and payment status',
      policy,
      // Callers are AltaPay's servers and the merchant's back end, not browsers worldwide: no CloudFront hop.
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // Every body reaches Lambda as the exact bytes received (base64-encoded): the callback checksum
      // and the strict UTF-8 check need the raw body, which text media types would re-encode.
      binaryMediaTypes: ['*/*'],
      // Execution logging needs the account-level API Gateway CloudWatch role, a setting of the whole
      // region that only its owner writes (apiGatewayAccountRole; docs/design.md). Retained, because other
      // APIs in the account rely on it after this stack is gone.
      cloudWatchRole: settings.apiGatewayAccountRole,
      ...(settings.apiGatewayAccountRole
        ? { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE }
        : {}),
      deployOptions: {
        stageName: STAGE_NAME,
        ...methodDefaults,
        // Per-method 4XXError on the callbacks, for the alarms on refused callbacks.
        methodOptions: callbackMethodOptions(methodDefaults),
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields({
          caller: true,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
        tracingEnabled: true,
      },
    });
    // RestApi adds an output with a generated name; the stable `ApiUrl` below replaces it.
    this.api.node.tryRemoveChild('Endpoint');
    // A changed resource policy takes effect only with a new deployment of the stage, and CDK's deployment
    // hash covers methods and resources, not the policy: add it, so switching the restriction redeploys.
    this.api.latestDeployment?.addToLogicalId({ resourcePolicy: policy.toJSON() });

    // API Gateway would create the execution log group itself on first use, keeping logs forever.
    const executionLogs = new LogGroup(this, 'ApiExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${STAGE_NAME}`,
      retention,
    });
    this.api.deploymentStage.node.addDependency(executionLogs);

    // Checks declared parameters now, and request bodies once a method gets a model (none yet: the
    // handlers validate bodies themselves, after verifying the checksum).
    const requestValidator = this.api.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    for (const route of httpRoutes) {
      this.addRoute(route, functions[route.lambda], requestValidator);
    }

    this.acknowledgeAccountRole();
    const checkout = httpRoutes.find((route) => route.lambda === 'create-payment');
    if (settings.checkoutRateLimit !== undefined && checkout !== undefined) {
      this.checkoutRateLimit = new CheckoutRateLimit(this, 'CheckoutRateLimit', {
        stage: this.api.deploymentStage,
        path: checkout.path,
        requestsPerFiveMinutes: settings.checkoutRateLimit,
      });
    } else {
      Validations.of(this.api.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          'The web ACL was turned off with the context waf=false. What remains: the resource policy limits ' +
          "the callbacks to AltaPay's published ranges (restrictCallbacksToAltaPay, default on), callbacks " +
          'are authenticated by checksum, the status route by IAM, and stage throttling caps floods on the ' +
          'public POST /payments. Each handler refuses a body over its limit (256 KiB for callbacks, 64 KiB ' +
          'for orders) with 413 from its length alone, before decoding it.',
      });
    }

    this.operations = new Operations(this, 'Operations', {
      api: this.api,
      functions,
      workQueue,
      workDeadLetterQueue,
      service: serviceName,
      ...(props.alarmTopic === undefined ? {} : { topic: props.alarmTopic }),
      ...(props.alarmEmail === undefined ? {} : { email: props.alarmEmail }),
    });
    new CfnOutput(this, 'DashboardUrl', {
      value:
        `https://${stack.region}.console.aws.amazon.com/cloudwatch/home?region=${stack.region}` +
        `#dashboards:name=${this.operations.dashboard.dashboardName}`,
      description:
        'The CloudWatch dashboard: callbacks by type and outcome, rejections, latency, queues, alarms',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.operations.topic.topicArn,
      description:
        props.alarmTopic === undefined
          ? 'Every alarm notifies this SNS topic (e-mail to AlarmEmail); subscribe more endpoints here'
          : 'Every alarm notifies this SNS topic (the one the deployment was given)',
    });

    if (settings.customDomain !== undefined) {
      this.customDomain = new CustomDomain(this, 'CustomDomain', {
        api: this.api,
        settings: settings.customDomain,
      });
    }
    new CfnOutput(this, 'ApiUrl', {
      value: this.api.url,
      description: 'Base URL of the payments API (stage v1)',
    });
    if (settings.publicBaseUrl !== undefined) {
      new CfnOutput(this, 'PublicBaseUrl', {
        value: settings.publicBaseUrl,
        description: 'The API as the gateway and the shop reach it (publicBaseUrl or the custom domain)',
      });
    }
    // What the merchant pastes into the terminal: under the public base URL when there is one, since
    // behind a base-path mapping the execute-api URL's stage segment is not part of the path.
    for (const route of httpRoutes.filter((r) => r.access === 'gateway')) {
      new CfnOutput(this, `${pascalCase(route.lambda)}Url`, {
        value:
          settings.publicBaseUrl === undefined
            ? this.api.urlForPath(route.path)
            : `${settings.publicBaseUrl}${route.path}`,
        description: `AltaPay terminal setting ${route.lambda.replaceAll('-', '_')}`,
      });
    }
  }

  private addRoute(route: HttpRoute, fn: PaymentsFunction, requestValidator: IRequestValidator): void {
    // Splits the path into segments and creates (or reuses) one nested resource per segment; a `{param}`
    // segment becomes a path-parameter resource.
    const resource = this.api.root.resourceForPath(route.path);
    const method = resource.addMethod(
      route.method,
      // Console test invocations skip authorisation; no permission for them.
      new LambdaIntegration(fn, { allowTestInvoke: false }),
      {
        authorizationType: authorizationFor[route.access],
        requestParameters: pathParameters(route.path),
        requestValidator,
      },
    );

    Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason: openRouteReasons[route.access] });
    if (authorizationFor[route.access] === AuthorizationType.NONE) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: openRouteReasons[route.access],
      });
    }
  }

  /** Connects `fn` to what `source` says invokes it. */
  private addEventSource(
    source: EventSource,
    fn: PaymentsFunction,
    workQueue: IQueue,
    settings: DeploymentSettings,
  ): void {
    switch (source.kind) {
      case 'work-queue': {
        fn.addEventSource(
          new SqsEventSource(workQueue, {
            batchSize: source.batchSize,
            maxBatchingWindow: Duration.seconds(source.maxBatchingWindowSeconds),
            // Only the failed messages of a batch return to the queue, not the whole batch.
            reportBatchItemFailures: true,
            // All functions share the account's concurrency pool: capped here, a backlog cannot throttle
            // the callbacks (see DEFAULT_WORKER_MAX_CONCURRENCY for why not reserved concurrency).
            maxConcurrency: settings.workerMaxConcurrency,
          }),
        );
        const mapping = fn.node.children.find((child) => child instanceof EventSourceMapping);
        if (mapping === undefined) throw new Error(`${source.lambda}: no event source mapping was created`);
        Validations.of(mapping).acknowledge({
          id: 'Serverless-LambdaEventSourceMappingDestination',
          reason:
            'SQS event source mappings support no on-failure destination (only stream and Kafka sources ' +
            "do). The work queue's redrive policy moves a message that keeps failing to the work " +
            'dead-letter queue, and the worker moves it there itself on its last attempt, with the reason.',
        });
        return;
      }
      case 'schedule': {
        const every = Duration.minutes(source.everyMinutes);
        // The next run is minutes away and redoes the work: Lambda's default (2 retries over up to 6 h)
        // would only pile stale runs on top of fresh ones. A failed or expired run goes to the function's
        // dead-letter queue (its alarm), which Lambda also uses for discarded asynchronous events.
        fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: every });
        const invokeConfig = fn.node.tryFindChild('EventInvokeConfig');
        if (invokeConfig === undefined)
          throw new Error(`${source.lambda}: no async invoke config was created`);
        Validations.of(invokeConfig).acknowledge({
          id: 'Serverless-LambdaAsyncFailureDestination',
          reason:
            "The function's dead-letter queue already receives every failed or expired asynchronous run " +
            '(with its error attributes) and is alarmed; an on-failure destination to it as well would ' +
            'deliver each failure twice.',
        });
        new Rule(this, `${pascalCase(source.lambda)}Schedule`, {
          description: `Invokes ${source.lambda} every ${source.everyMinutes} minute(s)`,
          schedule: Schedule.rate(every),
          targets: [
            new LambdaFunction(fn, {
              // Invocations EventBridge cannot deliver land beside the function's own failed runs.
              deadLetterQueue: fn.deadLetterQueue,
              // A run delivered after the next one is due would only repeat that one.
              maxEventAge: every,
            }),
          ],
        });
        return;
      }
      default: {
        const unknown: never = source;
        throw new Error(`Unknown event source ${JSON.stringify(unknown)}`);
      }
    }
  }

  /**
   * Where the failed asynchronous runs of `name` go: its Lambda dead-letter queue, and the target
   * dead-letter queue of its schedule. Holds only the scheduled events (a time, no payment data), so it
   * lives here, beside the rule whose ARN its policy names, and not in the stateful stack.
   */
  private asyncDeadLetterQueue(name: LambdaName): Queue {
    const queue = new Queue(this, `${pascalCase(name)}DeadLetterQueue`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The SQS maximum: a failing schedule is noticed and diagnosed from these messages' error attributes.
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This queue is itself a dead-letter queue (of a scheduled function and its EventBridge target); a ' +
        'redrive policy on it would only move failed runs one queue further.',
    });
    return queue;
  }

  private acknowledgeAccountRole(): void {
    const role = this.api.node.tryFindChild('CloudWatchRole');
    if (role === undefined) return;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'The account-level role API Gateway uses to write execution logs; AWS documents this managed ' +
        'policy for it, and it grants CloudWatch Logs actions only.',
    });
  }
}

/** The ARN of the bus `nameOrArn` names, in this stack's account and region unless it is an ARN. */
function eventBusArn(scope: Stack, nameOrArn: string): string {
  if (nameOrArn.startsWith('arn:')) return nameOrArn;
  return scope.formatArn({ service: 'events', resource: 'event-bus', resourceName: nameOrArn });
}
