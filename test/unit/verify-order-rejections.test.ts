import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { metricNames } from '../../functions/metrics';

// The ChecksumRejected alarm of /callbacks/verify-order counts what this handler publishes: a wrong
// shared secret must show up as CallbackRejections there too, not only on the other four callbacks.

/** The EMF lines the Lambda writes to stdout (CloudWatch turns them into metrics). */
let published: Record<string, unknown>[] = [];

beforeEach(() => {
  published = [];
  vi.resetModules();
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_DEV', 'false');
  vi.stubEnv('PAYMENTS_TABLE_NAME', 'payments');
  // Port 9 (discard): nothing is ever sent, the checksum is refused before the table is read.
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', 'http://127.0.0.1:9');
  vi.stubEnv('WORK_QUEUE_URL', 'http://127.0.0.1:9/000000000000/work');
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  vi.stubEnv('ALTAPAY_CALLBACK_SECRET', 'the-terminal-secret');
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    const line = String(chunk).trim();
    if (line.startsWith('{') && line.includes('"_aws"')) published.push(JSON.parse(line));
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const formPost = (body: string): APIGatewayProxyEvent =>
  ({
    httpMethod: 'POST',
    path: '/callbacks/verify-order',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
    requestContext: { requestId: 'r1', domainName: 'api.example', stage: 'v1' },
  }) as unknown as APIGatewayProxyEvent;

describe('POST /callbacks/verify-order with a wrong checksum', () => {
  it('is answered 403 and counted as CallbackRejections for verify-order, reason checksum_mismatch', async () => {
    const { handler } = await import('../../functions/callback-verify-order/index');

    const answer = await handler(
      formPost('shop_orderid=1234&amount=10.00&currency=208&checksum=0123456789abcdef0123456789abcdef'),
      { awsRequestId: 'r1', functionName: 'verify-order' } as Context,
    );

    expect(answer.statusCode).toBe(403);
    const rejections = published.filter((emf) =>
      JSON.stringify(emf._aws).includes(`"Name":"${metricNames.callbackRejections}"`),
    );
    expect(rejections).toHaveLength(1);
    expect(rejections[0]).toMatchObject({
      service: 'altapay-payments',
      callbackType: 'verify-order',
      reason: 'checksum_mismatch',
    });
  });
});
