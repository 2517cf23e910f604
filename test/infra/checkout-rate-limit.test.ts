import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHECKOUT_RATE_LIMIT } from '../../infra/deployment-settings';
import { synthesize } from './support';

/** Every finding of both cdk-nag packs in the synthesized app, as `rule: construct path`. */
function nagFindings(app: ReturnType<typeof synthesize>['app']): string[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack
      .validateScope(app)
      .violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
  );
}

describe('the rate limit on POST /payments', () => {
  const { apiTemplate, api } = synthesize();

  it('is a regional web ACL that blocks, per client address, POSTs to /payments over the limit with 429', () => {
    const acls = Object.values(apiTemplate.findResources('AWS::WAFv2::WebACL'));
    expect(acls).toHaveLength(1);
    const acl = acls[0]?.Properties;

    expect(acl.Scope).toBe('REGIONAL');
    expect(acl.DefaultAction).toEqual({ Allow: {} });
    expect(acl.Rules).toHaveLength(1);
    const [rule] = acl.Rules;
    expect(rule.Action).toEqual({
      Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'tooMany' } },
    });
    expect(JSON.parse(acl.CustomResponseBodies.tooMany.Content)).toMatchObject({
      error: 'too_many_requests',
    });
    const rate = rule.Statement.RateBasedStatement;
    expect(rate).toMatchObject({
      Limit: DEFAULT_CHECKOUT_RATE_LIMIT,
      AggregateKeyType: 'IP',
      EvaluationWindowSec: 300,
    });
    const scope = rate.ScopeDownStatement.AndStatement.Statements.map(
      (s: { ByteMatchStatement: Record<string, unknown> }) => s.ByteMatchStatement,
    );
    expect(scope).toEqual([
      expect.objectContaining({
        FieldToMatch: { Method: {} },
        SearchString: 'post',
        PositionalConstraint: 'EXACTLY',
      }),
      expect.objectContaining({
        FieldToMatch: { UriPath: {} },
        SearchString: '/payments',
        PositionalConstraint: 'ENDS_WITH',
      }),
    ]);
    for (const statement of scope) {
      expect(statement.TextTransformations).toEqual([{ Priority: 0, Type: 'LOWERCASE' }]);
    }
  });

  it('guards the API stage', () => {
    const [association] = Object.values(apiTemplate.findResources('AWS::WAFv2::WebACLAssociation'));
    const stageId = api.getLogicalId(api.api.deploymentStage.node.defaultChild as never);
    const aclId = api.getLogicalId(api.checkoutRateLimit?.webAcl as never);

    expect(JSON.stringify(association?.Properties.ResourceArn)).toContain(`"Ref":"${stageId}"`);
    expect(association?.Properties.WebACLArn).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
  });

  it('takes its limit from the context checkoutRateLimit, and refuses one that is not a whole number', () => {
    const { apiTemplate: raised } = synthesize({ checkoutRateLimit: '1200' });
    const [acl] = Object.values(raised.findResources('AWS::WAFv2::WebACL'));

    expect(acl?.Properties.Rules[0].Statement.RateBasedStatement.Limit).toBe(1200);
    expect(() => synthesize({ checkoutRateLimit: '5' })).toThrow(
      /checkoutRateLimit must be a whole number from 10 to 2000000000, not 5/,
    );
    expect(() => synthesize({ checkoutRateLimit: '1e3' })).toThrow(
      /checkoutRateLimit must be a whole number/,
    );
  });

  it('is left out with the context waf=false, and the app still passes cdk-nag', () => {
    const off = synthesize({ waf: 'false' });

    expect(off.apiTemplate.findResources('AWS::WAFv2::WebACL')).toEqual({});
    expect(off.apiTemplate.findResources('AWS::WAFv2::WebACLAssociation')).toEqual({});
    expect(nagFindings(off.app)).toEqual([]);
  });
});
