import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';
import { runScript, type ScriptRun } from '../support/run-script';

/**
 * `npm run payments -- capture|refund|release`, run as an operator runs it (its own process, not on
 * a terminal, so `--yes` confirms), against the whole local stack through the payments API; and on
 * a "deployed" API, its request signed with SigV4.
 */
const stack = useLocalStack();

function payments(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<ScriptRun> {
  return runScript('scripts/payments.ts', args, {
    ...process.env,
    AWS_ENDPOINT_URL_DYNAMODB: undefined,
    AWS_ENDPOINT_URL_SQS: undefined,
    PAYMENTS_LOCAL_STACK_FILE: join(tmpdir(), 'no-such-dir', 'stack.json'),
    ...env,
  });
}

/** The stack under test, as hidden options, and its API. */
const local = () => {
  const r = stack.resources;
  return ['--endpoint-dynamodb', r.dynamodbEndpoint, '--table', r.tableName, '--api', stack.apiUrl];
};
const run = (...args: string[]) => payments([...args, ...local()]);
const keyOf = (stderr: string) => /Idempotency-Key (\S+)/.exec(stderr)?.[1];

beforeAll(async () => {
  await stack.simulator.pay(await stack.createPayment('cli-op', '249.00'), 'success');
  await stack.merchant.waitFor((events) => events.some((e) => e.shopOrderId === 'cli-op'));
  await stack.workSettled();
});

describe('npm run payments -- capture, refund, release', () => {
  it('captures --amount with --yes, prints the key, and the same --key again captures nothing more', async () => {
    const first = await run('capture', 'cli-op', '--amount', '100.00', '--yes');

    expect(first.code).toBe(0);
    expect(first.stdout).toEqual(
      expect.stringMatching(
        /^Captured 100\.00 DKK of order cli-op \(transaction \d+\): payment captured, reserved 249\.00, captured 100\.00, refunded 0\.00\n$/,
      ),
    );
    const key = keyOf(first.stderr);
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.stderr).toContain(`--key ${key}`);

    const again = await run('capture', 'cli-op', '--amount', '100.00', '--yes', '--key', key ?? '');

    expect(again.code).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    expect(
      stack.simulator.operations('cli-op').filter((o) => o.method === 'captureReservation'),
    ).toHaveLength(1);
  });

  it('shows the operations of the order: who, when, how much, the gateway Result', async () => {
    const { code, stdout } = await run('show', 'cli-op');

    expect(code).toBe(0);
    expect(stdout).toMatch(
      /\nOperations \(1\)\n {2}REQUESTED\s+KIND\s+AMOUNT\s+TRANSACTION\s+STATE\s+RESULT\s+BY\s+IDEMPOTENCY KEY\n {2}\S+Z\s+capture\s+100\.00\s+\d+\s+done\s+Success\s+local\s+[0-9a-f-]{36}\n/,
    );
  });

  it('asks for --yes when it cannot ask on a terminal, and does nothing', async () => {
    const { code, stderr } = await run('refund', 'cli-op', '--amount', '10.00');

    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^payments: not on a terminal, so nobody can confirm: pass --yes to refund 10\.00 of order cli-op/,
    );
    expect(stack.simulator.operations('cli-op').some((o) => o.method === 'refundCapturedReservation')).toBe(
      false,
    );
  });

  it('says in one line why the API refused: too much to refund (422), a release after a capture (409)', async () => {
    const refund = await run('refund', 'cli-op', '--amount', '500.00', '--yes');
    const release = await run('release', 'cli-op', '--yes');

    expect(refund.code).toBe(1);
    expect(refund.stderr).toContain(
      'payments: refund refused (HTTP 422): Field amount 500.00 is more than the 100.00 left to refund.',
    );
    expect(release.code).toBe(1);
    expect(release.stderr).toMatch(
      /payments: release refused \(HTTP 409\): Transaction \d+ cannot be released/,
    );
    expect(release.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('npm run payments -- capture on a deployed API', () => {
  let api: Server;
  let apiUrl = '';
  const seen: { url?: string; headers?: IncomingHttpHeaders; body?: string }[] = [];

  beforeAll(async () => {
    // Answers as the deployed route does, and keeps what it was sent.
    api = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      req.on('end', () => {
        seen.push({ ...(req.url ? { url: req.url } : {}), headers: req.headers, body });
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            operation: { kind: 'capture', amount: '10.00', transactionId: '80000001' },
            payment: {
              status: 'captured',
              currency: 'DKK',
              reservedAmount: '20.00',
              capturedAmount: '10.00',
              refundedAmount: '0.00',
            },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const address = api.address();
    apiUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/prod`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => {
      api?.close(() => resolve());
      api?.closeAllConnections();
    });
  });

  it('signs the request with SigV4 for execute-api in the region, with the Idempotency-Key signed too', async () => {
    const { code, stdout, stderr } = await payments(
      ['capture', 'order-7', '--amount', '10.00', '--yes', '--api', apiUrl, '--region', 'eu-west-1'],
      {
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        AWS_PROFILE: undefined,
      },
    );

    expect(code, stderr).toBe(0);
    expect(stdout).toContain('Captured 10.00 DKK of order order-7');
    const [request] = seen;
    expect(request?.url).toBe('/prod/payments/order-7/captures');
    expect(JSON.parse(request?.body ?? '')).toEqual({ amount: '10.00' });
    expect(request?.headers?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*idempotency-key[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(request?.headers?.['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(request?.headers?.['idempotency-key']).toBe(keyOf(stderr));
  });
});

describe('npm run payments -- charge', () => {
  it('charges the subscription agreement --amount with --yes: a new transaction each time, and show names the agreement', async () => {
    const order = 'cli-sub';
    await stack.simulator.pay(await stack.createPayment(order, '49.00', 'subscription'), 'success');
    await stack.merchant.waitFor((events) => events.some((e) => e.shopOrderId === order));
    await stack.workSettled();
    const agreementId = (await stack.payment(order))?.agreement?.transactionId;

    const first = await run('charge', order, '--amount', '49.00', '--yes');
    const second = await run('charge', order, '--amount', '49.00', '--yes');

    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      new RegExp(
        `^Charged 49\\.00 DKK on the subscription agreement ${agreementId} of order ${order}: new transaction \\d+; payment captured, captured 49\\.00 in all\\n$`,
      ),
    );
    expect(second.stdout).toMatch(/captured 98\.00 in all\n$/);
    const newId = (stdout: string) => /new transaction (\d+)/.exec(stdout)?.[1];
    expect(newId(first.stdout)).not.toBe(newId(second.stdout));
    const shown = await run('show', order);
    expect(shown.stdout).toMatch(new RegExp(`\\n {2}agreement\\s+${agreementId} \\(active\\)\\n`));
    const missing = await run('charge', order, '--yes');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('missing --amount');
  });
});
