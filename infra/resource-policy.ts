import { AnyPrincipal, Effect, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { HttpRoute } from '../functions/routes';

/**
 * The addresses AltaPay's gateway sends callbacks from, as AltaPay publishes them (IPv4 and IPv6):
 * docs/altapay-protocol.md §3.4, from documentation.altapay.com. The one list the resource policy uses;
 * when AltaPay publishes a change, change it here.
 */
export const ALTAPAY_CALLBACK_SOURCE_RANGES: readonly string[] = [
  '185.206.120.0/24',
  '2a10:a200::/29',
  '185.203.232.129/32',
  '185.203.233.129/32',
];

/**
 * A route as the resource policy names it: `execute-api:/<stage>/<METHOD>/<path>`, any stage (so a
 * stage added later is covered too), a `{param}` segment as `*`. API Gateway expands the prefix to the
 * API's own ARN when it stores the policy.
 */
export const executeApiResource = (route: HttpRoute): string =>
  `execute-api:/*/${route.method}${route.path.replace(/\{[^/]+\}/g, '*')}`;

export interface ResourcePolicyOptions {
  /** Deny the `gateway` routes to every address outside `ALTAPAY_CALLBACK_SOURCE_RANGES`. */
  readonly restrictCallbacksToAltaPay: boolean;
}

/**
 * The REST API's resource policy, generated from the route table:
 * - anyone may invoke the routes without IAM auth (`gateway`, `public`): their handlers authenticate
 *   (checksum) or decide what an anonymous caller may do;
 * - the `iam` routes get no allow here on purpose: a caller of this account needs its own IAM permission
 *   (SigV4), and a caller from another account, which would need an allow in this policy, is refused.
 *   An `Allow *` on everything would let any AWS account that grants itself `execute-api:Invoke` read
 *   payments;
 * - with the restriction on, an explicit deny for the `gateway` routes from any other address: a deny
 *   wins over every allow, so the handlers never see a forged callback from elsewhere.
 */
export function apiResourcePolicy(
  routes: readonly HttpRoute[],
  { restrictCallbacksToAltaPay }: ResourcePolicyOptions,
): PolicyDocument {
  const document = new PolicyDocument({
    statements: [
      new PolicyStatement({
        sid: 'InvokeRoutesWithoutIamAuth',
        effect: Effect.ALLOW,
        principals: [new AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: routes.filter((route) => route.access !== 'iam').map(executeApiResource),
      }),
    ],
  });
  if (restrictCallbacksToAltaPay) {
    document.addStatements(
      new PolicyStatement({
        sid: 'CallbacksFromAltaPayOnly',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: routes.filter((route) => route.access === 'gateway').map(executeApiResource),
        conditions: { NotIpAddress: { 'aws:SourceIp': [...ALTAPAY_CALLBACK_SOURCE_RANGES] } },
      }),
    );
  }
  return document;
}
