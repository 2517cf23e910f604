import { Template } from 'aws-cdk-lib/assertions';
import type { CfnTopic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { ShopStack } from '../../examples/host-app/lib/shop-stack';
import { testApp } from './support';

const customDomain = {
  domainName: 'pay.shop.dk',
  certificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/abc',
  basePath: 'altapay',
};

/** The example merchant app's stack (examples/host-app), as its bin/app.ts builds it. */
function synthesizeShop() {
  const stack = new ShopStack(testApp(), 'Shop', {
    payments: { environment: 'test', altapayTerminal: 'Shop Test Terminal', customDomain },
  });
  const template = Template.fromStack(stack);
  const topicId = stack.getLogicalId(stack.alarmTopic.node.defaultChild as CfnTopic);
  return { stack, template, topicId };
}

describe('the example host app (examples/host-app)', () => {
  const { stack, template, topicId } = synthesizeShop();

  it("serves the API on the shop's domain, under its base path, with the shop's certificate", () => {
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'pay.shop.dk',
      RegionalCertificateArn: customDomain.certificateArn,
    });
    template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', { BasePath: 'altapay' });
    expect(Object.keys(template.findOutputs('*')).some((id) => id.includes('CustomDomainTarget'))).toBe(true);
  });

  it("sends every alarm to the shop's own topic, and makes no topic or AlarmEmail parameter of its own", () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    }
    expect(Object.keys(template.findResources('AWS::SNS::Topic'))).toEqual([topicId]);
    expect(template.toJSON().Parameters ?? {}).not.toHaveProperty('AlarmEmail');
    expect(stack.payments.alarmTopic).toBe(stack.alarmTopic);
  });
});
