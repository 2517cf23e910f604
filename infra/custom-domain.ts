import { CfnOutput } from 'aws-cdk-lib';
import {
  BasePathMapping,
  DomainName,
  EndpointType,
  type RestApi,
  SecurityPolicy,
} from 'aws-cdk-lib/aws-apigateway';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { Construct } from 'constructs';

/** The `customDomain` setting (`-c customDomainName`, `certificateArn`, `basePath`), already checked (deployment-settings.ts). */
export interface CustomDomainSettings {
  /** The host name the merchant's DNS points at this API, e.g. `pay.shop.dk`. */
  readonly domainName: string;
  /** An ACM certificate for `domainName` in the stack's region (a regional endpoint needs it there). */
  readonly certificateArn: string;
  /** One path segment the stage is mapped under, e.g. `altapay`; unset: the domain's root. */
  readonly basePath?: string;
}

/** The API's public base URL on the custom domain, without a trailing slash; undefined without one. */
export const customDomainBaseUrl = (domain: CustomDomainSettings | undefined): string | undefined =>
  domain === undefined
    ? undefined
    : `https://${domain.domainName}${domain.basePath === undefined ? '' : `/${domain.basePath}`}`;

export interface CustomDomainProps {
  readonly api: RestApi;
  readonly settings: CustomDomainSettings;
}

/**
 * An API Gateway custom domain (regional, TLS 1.2) with the API's stage mapped under the base path.
 * The merchant's DNS needs a CNAME (or alias) from the domain name to `CustomDomainTarget`.
 */
export class CustomDomain extends Construct {
  readonly domain: DomainName;

  constructor(scope: Construct, id: string, props: CustomDomainProps) {
    super(scope, id);
    const { api, settings } = props;
    this.domain = new DomainName(this, 'DomainName', {
      domainName: settings.domainName,
      certificate: Certificate.fromCertificateArn(this, 'Certificate', settings.certificateArn),
      endpointType: EndpointType.REGIONAL,
      securityPolicy: SecurityPolicy.TLS_1_2,
    });
    new BasePathMapping(this, 'Mapping', {
      domainName: this.domain,
      restApi: api,
      stage: api.deploymentStage,
      ...(settings.basePath === undefined ? {} : { basePath: settings.basePath }),
    });
    new CfnOutput(scope, 'CustomDomainTarget', {
      value: this.domain.domainNameAliasDomainName,
      description: `Point ${settings.domainName} here in DNS (CNAME, or an alias record)`,
    });
  }
}
