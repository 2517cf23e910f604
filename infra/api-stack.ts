import {
  CfnOutput,
  CrossStackReferences,
  ReferenceStrength,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  type IRequestValidator,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { paymentsTable } from '../adapters/dynamodb/payments-table';
import { type HttpRoute, httpRoutes, type LambdaName, lambdas, type RouteAccess } from '../functions/routes';
import { PaymentsFunction } from './payments-function';

export interface ApiStackProps extends StackProps {
  readonly table: ITableV2;
  readonly workQueue: IQueue;
}

/** The one stage; its name is the version segment of every URL. */
const STAGE_NAME = 'v1';

/** The only table actions any function of this stack may be given. `DeleteItem` is deliberately absent. */
type TableAction = 'dynamodb:GetItem' | 'dynamodb:PutItem' | 'dynamodb:UpdateItem' | 'dynamodb:Query';

interface FunctionAccess {
  readonly table: readonly TableAction[];
  /** May put work on the work queue. */
  readonly sendsWork: boolean;
}

/** A callback reads its order's payment, writes its items conditionally, and queues the slow work. */
const recordsCallback: FunctionAccess = {
  table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  sendsWork: true,
};

/**
 * What each function may do, and nothing more. Keyed by every `LambdaName`, so a function added to
 * `routes.ts` does not compile until it has its line here.
 */
const functionAccess: Readonly<Record<LambdaName, FunctionAccess>> = {
  'callback-ok': recordsCallback,
  'callback-fail': recordsCallback,
  'callback-open': recordsCallback,
  'callback-notification': recordsCallback,
  // Reads the order's payment to compare it with what the gateway is about to charge.
  'callback-verify-order': { table: ['dynamodb:GetItem'], sendsWork: false },
  // Records the payment request on the order's payment item (conditional put or update).
  'create-payment': {
    table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    sendsWork: false,
  },
  'payment-status': { table: ['dynamodb:GetItem', 'dynamodb:Query'], sendsWork: false },
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
    'authenticates each callback by its checksum over the raw body; the AltaPay IP allow-list follows.',
  iam:
    'IAM (SigV4) authorisation: callers are operators and the merchant back end holding AWS credentials; ' +
    'there are no end users, so no Cognito user pool.',
  public:
    "Public by design (RouteAccess 'public'): the shop's checkout calls it without credentials; the " +
    'handler decides what an anonymous caller may see.',
};

/** `callback-ok` -> `CallbackOk`: readable construct ids and output names. */
const pascalCase = (name: string): string =>
  name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

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
 * The stateless half: one `PaymentsFunction` per entry of `lambdas` and a REST API generated from
 * `httpRoutes`. Holds no data, so it can be destroyed and redeployed freely; the table and queue come in
 * as props from the stateful stack.
 */
export class ApiStack extends Stack {
  readonly api: RestApi;
  readonly functions: Readonly<Record<LambdaName, PaymentsFunction>>;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    // Strong (Export/ImportValue), stated explicitly: CloudFormation then refuses to remove the table or
    // queue while this stack still uses them. Must be set before any child construct exists.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const { table, workQueue } = props;

    const tableArn = table.tableArn;
    const indexArns = [paymentsTable.statusIndex, paymentsTable.pendingWorkIndex].map(
      (index) => `${tableArn}/index/${index.name}`,
    );

    const functions = {} as Record<LambdaName, PaymentsFunction>;
    for (const name of Object.keys(lambdas) as LambdaName[]) {
      const fn = new PaymentsFunction(this, pascalCase(name), {
        spec: lambdas[name],
        environment: {
          PAYMENTS_TABLE_NAME: table.tableName,
          WORK_QUEUE_URL: workQueue.queueUrl,
        },
      });
      const access = functionAccess[name];
      // Item actions on the table only; Query is the one action that also reads the indexes.
      const itemActions = access.table.filter((action) => action !== 'dynamodb:Query');
      if (itemActions.length > 0) {
        fn.addToRolePolicy(new PolicyStatement({ actions: itemActions, resources: [tableArn] }));
      }
      if (access.table.includes('dynamodb:Query')) {
        fn.addToRolePolicy(
          new PolicyStatement({ actions: ['dynamodb:Query'], resources: [tableArn, ...indexArns] }),
        );
      }
      if (access.sendsWork) {
        workQueue.grantSendMessages(fn);
      }
      Validations.of(fn).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason:
          'Invoked synchronously by API Gateway only; a Lambda dead-letter queue receives failed ' +
          'asynchronous invocations, so it would stay empty. A failure is answered with a 5xx to the caller.',
      });
      functions[name] = fn;
    }
    this.functions = functions;

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.ONE_MONTH });

    this.api = new RestApi(this, 'PaymentsApi', {
      description: 'AltaPay callbacks and payment status',
      // Callers are AltaPay's servers and the merchant's back end, not browsers worldwide: no CloudFront hop.
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // Every body reaches Lambda as the exact bytes received (base64-encoded): the callback checksum
      // and the strict UTF-8 check need the raw body, which text media types would re-encode.
      binaryMediaTypes: ['*/*'],
      // Execution logging needs the account-level API Gateway CloudWatch role. Retained, because other
      // APIs in the account may rely on it after this stack is gone.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: STAGE_NAME,
        // Caps what a flood can cost in Lambda and DynamoDB; raise it with the shop's peak order rate.
        throttlingRateLimit: 50,
        throttlingBurstLimit: 100,
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
        loggingLevel: MethodLoggingLevel.ERROR,
        // Never log request bodies: callbacks carry customer and card data.
        dataTraceEnabled: false,
        tracingEnabled: true,
      },
    });
    // RestApi adds an output with a generated name; the stable `ApiUrl` below replaces it.
    this.api.node.tryRemoveChild('Endpoint');

    // API Gateway would create the execution log group itself on first use, keeping logs forever.
    const executionLogs = new LogGroup(this, 'ApiExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${STAGE_NAME}`,
      retention: RetentionDays.ONE_MONTH,
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
    Validations.of(this.api.deploymentStage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'No WAF yet: callbacks are authenticated by checksum and the status route by IAM, and stage ' +
        'throttling caps floods. The AltaPay IP allow-list issue decides between a WAF IP set and a ' +
        'resource policy.',
    });

    new CfnOutput(this, 'ApiUrl', {
      value: this.api.url,
      description: 'Base URL of the payments API (stage v1)',
    });
    for (const route of httpRoutes.filter((r) => r.access === 'gateway')) {
      new CfnOutput(this, `${pascalCase(route.lambda)}Url`, {
        value: this.api.urlForPath(route.path),
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
