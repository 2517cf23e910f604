import { Stack } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface CheckoutRateLimitProps {
  /** The API stage the web ACL guards. */
  readonly stage: Stage;
  /** The public route's path as the client sends it, without the stage: `/payments`. */
  readonly path: string;
  /** Requests to `POST <path>` one client address may make in any 5 minutes before it gets 429. */
  readonly requestsPerFiveMinutes: number;
}

/** The JSON body a blocked request gets, in the shape every error of this API has. */
const tooManyBody = JSON.stringify({
  error: 'too_many_requests',
  message: 'Too many payment requests from this address: wait a few minutes, then try again.',
});

/**
 * An AWS WAF web ACL on the API stage with one rate-based rule: per client address, on `POST /payments`
 * only. That route is public (a customer's browser posts the shop's order form), so without it a
 * single address could create payment requests at the stage's whole throttle rate and crowd out real
 * checkouts. The callbacks are not rate limited here: their callers are AltaPay's few servers (the
 * resource policy), which a per-address rule would throttle first. Everything else is allowed.
 */
export class CheckoutRateLimit extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: CheckoutRateLimitProps) {
    super(scope, id);
    // Metric names are per account and region: the stack name keeps two copies apart.
    const metricPrefix = Stack.of(this).stackName.replaceAll(/[^A-Za-z0-9-]/g, '');
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      description: `Rate limit per client address on POST ${props.path}`,
      defaultAction: { allow: {} },
      customResponseBodies: {
        tooMany: { contentType: 'APPLICATION_JSON', content: tooManyBody },
      },
      visibilityConfig: {
        cloudWatchMetricsEnabled: true,
        metricName: `${metricPrefix}-WebAcl`,
        sampledRequestsEnabled: true,
      },
      rules: [
        {
          name: 'CheckoutRatePerAddress',
          priority: 0,
          action: { block: { customResponse: { responseCode: 429, customResponseBodyKey: 'tooMany' } } },
          statement: {
            rateBasedStatement: {
              limit: props.requestsPerFiveMinutes,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
              scopeDownStatement: {
                andStatement: {
                  statements: [
                    byteMatch({ method: {} }, 'POST', 'EXACTLY'),
                    // ENDS_WITH: the stage (`/v1`) or a custom domain's base path comes before it.
                    byteMatch({ uriPath: {} }, props.path, 'ENDS_WITH'),
                  ],
                },
              },
            },
          },
          visibilityConfig: {
            cloudWatchMetricsEnabled: true,
            metricName: `${metricPrefix}-CheckoutRatePerAddress`,
            sampledRequestsEnabled: true,
          },
        },
      ],
    });
    new CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}

function byteMatch(
  fieldToMatch: CfnWebACL.FieldToMatchProperty,
  searchString: string,
  positionalConstraint: 'EXACTLY' | 'ENDS_WITH',
): CfnWebACL.StatementProperty {
  return {
    byteMatchStatement: {
      fieldToMatch,
      // Both sides lower-cased: no spelling of the method or path slips past the rule.
      searchString: searchString.toLowerCase(),
      positionalConstraint,
      textTransformations: [{ priority: 0, type: 'LOWERCASE' }],
    },
  };
}
