import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SignatureV4 } from '@smithy/signature-v4';
import { XMLParser } from 'fast-xml-parser';
import { NodeSha256 } from '../../client/sha256';
import { type DeployedStack, type DoctorAws, NoCredentialsError } from './checks';

/**
 * The real `DoctorAws`. Credentials come from the SDK's standard chain, taken from the Secrets Manager
 * client the project already has; STS, CloudFormation and Lambda are three read-only calls each, signed
 * here with SigV4 rather than pulling in three more SDK clients.
 */
export function awsAccount(region: string): DoctorAws {
  const secrets = new SecretsManagerClient({ region });
  const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false });

  const credentials = async () => {
    try {
      return await secrets.config.credentials();
    } catch (cause) {
      throw new NoCredentialsError((cause as Error).message, { cause });
    }
  };

  const call = async (
    service: string,
    method: 'GET' | 'POST',
    path: string,
    form?: Readonly<Record<string, string>>,
  ): Promise<{ status: number; text: string }> => {
    const url = new URL(`https://${service}.${region}.amazonaws.com${path}`);
    const body = form === undefined ? undefined : new URLSearchParams(form).toString();
    const headers: Record<string, string> = {
      host: url.host,
      ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }),
    };
    const signer = new SignatureV4({ service, region, credentials: await credentials(), sha256: NodeSha256 });
    const signed = await signer.sign({
      method,
      protocol: 'https:',
      hostname: url.hostname,
      path: url.pathname,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const response = await fetch(url, {
      method,
      headers: signed.headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, text: await response.text() };
  };

  const failed = (what: string, answer: { status: number; text: string }): Error =>
    new Error(`${what} answered HTTP ${answer.status}: ${answer.text.slice(0, 300)}`);

  return {
    async callerIdentity() {
      const answer = await call('sts', 'POST', '/', { Action: 'GetCallerIdentity', Version: '2011-06-15' });
      if (answer.status !== 200) throw failed('STS GetCallerIdentity', answer);
      const result = xml.parse(answer.text).GetCallerIdentityResponse.GetCallerIdentityResult;
      return { account: String(result.Account), arn: String(result.Arn) };
    },

    async stack(name): Promise<DeployedStack | undefined> {
      const answer = await call('cloudformation', 'POST', '/', {
        Action: 'DescribeStacks',
        StackName: name,
        Version: '2010-05-15',
      });
      if (answer.status === 400 && answer.text.includes('does not exist')) return undefined;
      if (answer.status !== 200) throw failed('CloudFormation DescribeStacks', answer);
      const stack = xml.parse(answer.text).DescribeStacksResponse.DescribeStacksResult.Stacks.member;
      const list = (value: unknown): Record<string, string>[] =>
        value === undefined || value === '' ? [] : ([] as Record<string, string>[]).concat(value as never);
      return {
        outputs: Object.fromEntries(list(stack.Outputs?.member).map((o) => [o.OutputKey, o.OutputValue])),
        parameters: Object.fromEntries(
          list(stack.Parameters?.member).map((p) => [p.ParameterKey, p.ParameterValue ?? '']),
        ),
      };
    },

    async lambdaConcurrency() {
      const answer = await call('lambda', 'GET', '/2016-08-19/account-settings/');
      if (answer.status !== 200) throw failed('Lambda GetAccountSettings', answer);
      const limit = (
        JSON.parse(answer.text) as {
          AccountLimit: { ConcurrentExecutions: number; UnreservedConcurrentExecutions: number };
        }
      ).AccountLimit;
      return { limit: limit.ConcurrentExecutions, unreserved: limit.UnreservedConcurrentExecutions };
    },

    async secretString(name) {
      try {
        const secret = await secrets.send(new GetSecretValueCommand({ SecretId: name }));
        return secret.SecretString ?? '';
      } catch (error) {
        if ((error as Error).name === 'ResourceNotFoundException') return undefined;
        throw error;
      }
    },
  };
}
