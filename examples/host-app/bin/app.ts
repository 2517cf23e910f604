import { App } from 'aws-cdk-lib';
import { ShopStack } from '../lib/shop-stack';

const app = new App();
new ShopStack(app, 'Shop', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  payments: {
    // AltaPay's test gateway; for live payments: altapayGatewayUrl: 'https://<shop>.altapaysecure.com'.
    environment: 'test',
    altapayTerminal: 'Shop Test Terminal',
    // An ACM certificate for the name, in the stack's region.
    customDomain: {
      domainName: 'pay.shop.dk',
      certificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/abc',
      basePath: 'altapay',
    },
  },
});
