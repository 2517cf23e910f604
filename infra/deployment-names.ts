import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The Powertools service of one copy of the app (`POWERTOOLS_SERVICE_NAME`, the `service` dimension of
 * every custom metric): `<stack prefix>-payments` in lower case, so a test copy
 * (`-c stackPrefix=AltaPayTest`: `altapaytest-payments`) never feeds the production alarms. The default
 * prefix keeps `altapay-payments` (`defaultServiceName`), the name its metrics have always had.
 */
export const serviceNameFor = (stackPrefix: string): string =>
  `${stackPrefix.toLowerCase().replaceAll(/[^a-z0-9]+/g, '-')}-payments`;

/**
 * A name that must be unique in the whole account, not just in one region (a CloudWatch dashboard):
 * the stack's name and its region, so a second copy or the same app in a second region cannot collide.
 * In an environment-agnostic stack the region is the deploy-time `AWS::Region`.
 */
export const accountWideName = (scope: IConstruct): string => {
  const stack = Stack.of(scope);
  return `${stack.stackName}-${stack.region}`;
};
