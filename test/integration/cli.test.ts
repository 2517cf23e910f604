import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaymentsTable, fakeCredentials, localRegion } from '../../local/emulators';
import { useLocalStack } from '../support/local-stack';
import { runScript, type ScriptRun } from '../support/run-script';
import { tempDir } from '../support/temp-dir';

/**
 * `npm run payments`, the operators' tool, run as a separate process the way an operator runs it,
 * against the whole local stack (real handlers, worker, simulator, merchant endpoint), its output
 * read as a person would. The emulators are named explicitly, so no test depends on `npm start`'s
 * state file.
 */
// One attempt: work the merchant refuses is parked after one run, so the DLQ can be shown quickly.
// The visibility timeout outlasts a failing run (three deliveries over 2.5 s), as on AWS.
const stack = useLocalStack({ WORK_MAX_ATTEMPTS: '1' }, { visibilityTimeoutSeconds: 4 });

/** The CLI with `args` as typed after `npm run payments --`, and an environment without a local stack. */
function payments(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<ScriptRun> {
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    // The stack under test put these in this process's environment for its handlers; an operator's
    // shell does not have them.
    AWS_ENDPOINT_URL_DYNAMODB: undefined,
    AWS_ENDPOINT_URL_SQS: undefined,
    PAYMENTS_LOCAL_STACK_FILE: join(tmpdir(), 'no-such-dir', 'stack.json'),
    ...env,
  };
  return runScript('scripts/payments.ts', args, childEnv);
}

/** Where the stack under test is, as hidden options. */
function local(): string[] {
  const r = stack.resources;
  return [
    '--endpoint-dynamodb',
    r.dynamodbEndpoint,
    '--endpoint-sqs',
    r.sqsEndpoint,
    '--table',
    r.tableName,
    '--queue',
    r.queueUrl,
    '--dlq',
    r.dlqUrl,
  ];
}

const run = (...args: string[]) => payments([...args, ...local()]);
const noStackTrace = (text: string) => !/^\s+at /m.test(text);

beforeAll(async () => {
  await stack.simulator.pay(await stack.createPayment('cli-paid', '249.00'), 'success');
  await stack.simulator.pay(await stack.createPayment('cli-declined', '99.95'), 'decline');
  await stack.merchant.waitFor((events) => events.some((e) => e.shopOrderId === 'cli-paid'));
  await stack.workSettled();
});

describe('npm run payments -- list', () => {
  it('lists the payments newest first: the paid order reserved, the declined one failed', async () => {
    const { code, stdout } = await run('list');

    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^UPDATED\s+ORDER\s+STATUS\s+AMOUNT\s+CURRENCY/);
    const paid = lines.findIndex((l) => /\scli-paid\s+reserved\s+249\.00\s+DKK\s/.test(l));
    const declined = lines.findIndex((l) => /\scli-declined\s+failed\s+99\.95\s+DKK\s/.test(l));
    expect(paid).toBeGreaterThan(0);
    expect(declined).toBeGreaterThan(0);
    expect(declined).toBeLessThan(paid);
    expect(lines[paid]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /);
  });

  it('lists only the declined order with --status failed', async () => {
    const { code, stdout } = await run('list', '--status', 'failed', '--since', '10m');

    expect(code).toBe(0);
    expect(stdout).toContain('cli-declined');
    expect(stdout).not.toContain('cli-paid');
  });

  it('answers --json with an array of payments that JSON.parse reads', async () => {
    const { code, stdout } = await run('list', '--json');

    expect(code).toBe(0);
    const listed = JSON.parse(stdout) as Record<string, unknown>[];
    expect(listed.find((p) => p.shopOrderId === 'cli-paid')).toMatchObject({
      status: 'reserved',
      amount: '249.00',
      currency: 'DKK',
      flags: [],
      version: expect.any(Number),
      updatedAt: expect.stringMatching(/Z$/),
    });
  });
});

describe('npm run payments -- show', () => {
  it('shows the payment, its transaction with the amounts and card, the callback and the delivered work', async () => {
    const { code, stdout } = await run('show', 'cli-paid');

    expect(code).toBe(0);
    expect(stdout).toMatch(/^Payment cli-paid\n/);
    expect(stdout).toMatch(/\n {2}status\s+reserved\n/);
    expect(stdout).toMatch(/\n {2}requested\s+249\.00 DKK at /);
    expect(stdout).toMatch(
      /\n {2}\d+\s+preauth\s+reserved\s+yes\s+249\.00\s+0\.00\s+0\.00\s+457199\*{6}4512\s/,
    );
    expect(stdout).toMatch(
      /Callbacks received \(1\)\n.*\n {2}\S+Z\s+ok\s+changed\s+reserved\s+Success\s+\d+\n/,
    );
    expect(stdout).toMatch(/\n {4}confirmation\s+confirmed: the gateway confirms \d+/);
    expect(stdout).toMatch(/\n {4}event\s+payment\.reserved evt_[0-9a-f]{32}\n/);
    expect(stdout).toMatch(/\n {4}deliveries\s+1; last \S+Z: HTTP 204 in \d+ ms\n/);
  });

  it('answers --json with the payment, transactions, callback log and work', async () => {
    const { code, stdout } = await run('show', 'cli-declined', '--json');

    expect(code).toBe(0);
    const shown = JSON.parse(stdout) as {
      payment: { status: string };
      transactions: { reservedAmount: string; gatewayStatus: string }[];
      callbackLog: { callbackType: string; outcome: string }[];
    };
    expect(shown.payment.status).toBe('failed');
    expect(shown.callbackLog).toEqual([
      expect.objectContaining({ callbackType: 'fail', outcome: 'changed' }),
    ]);
    expect(shown.transactions).toHaveLength(1);
  });

  it("shows why a declined payment failed: the gateway's messages for the customer and the merchant", async () => {
    const { code, stdout } = await run('show', 'cli-declined');

    expect(code).toBe(0);
    expect(stdout).toMatch(
      /\n {2}\d+ why:\n {4}customer message {2}Card declined\. Please try another card\.\n {4}merchant message {2}TestAcquirer\[pan=0466 or amount=4660\]\n {4}reason code +\S+\n/,
    );
  });

  it('answers an unknown order with one line and exit code 1', async () => {
    const { code, stdout, stderr } = await run('show', 'cli-nobody');

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('payments: No payment is recorded for shop order cli-nobody\n');
  });

  it('shows a stored payment that lacks fields with what it has, as an old or hand-edited item is', async () => {
    // Written around the handlers, as an old or hand-edited item would be; without a status it is in no listing.
    const table = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        region: localRegion,
        endpoint: stack.resources.dynamodbEndpoint,
        credentials: fakeCredentials,
      }),
    );
    await table.send(
      new PutCommand({
        TableName: stack.resources.tableName,
        Item: { shopOrderId: 'cli-broken', recordKey: 'payment' },
      }),
    );
    table.destroy();

    const { code, stdout, stderr } = await run('show', 'cli-broken');

    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('Payment cli-broken');
    expect(stdout).toMatch(/status\s+-/);
  });
});

describe('npm run payments -- watch', () => {
  it('prints each callback once, one line each, and --json one object per line', async () => {
    const [text, json] = await Promise.all([
      run('watch', '--once', '--since', '10m'),
      run('watch', '--once', '--since', '10m', '--json'),
    ]);

    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^RECEIVED\s+TYPE\s+OUTCOME\s+STATUS\s+RESULT\s+ORDER\n/);
    expect(text.stdout).toMatch(/\n\S+Z\s+ok\s+changed\s+reserved\s+Success\s+cli-paid {2}\(txn \d+\)\n/);
    expect(text.stdout).toMatch(/\n\S+Z\s+fail\s+changed\s+failed\s+Failed\s+cli-declined {2}\(txn \d+\)\n/);
    const events = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { shopOrderId: string; callbackType: string });
    expect(events.filter((e) => e.shopOrderId.startsWith('cli-')).map((e) => e.callbackType)).toEqual([
      'ok',
      'fail',
    ]);
  });
});

describe('npm run payments -- dlq and resend', () => {
  it('lists work the merchant refused with its reason, leaves it there, and redrives it once asked to', async () => {
    stack.merchant.answer((event) => (event.shopOrderId === 'cli-dlq' ? 'error' : 'accept'));
    await stack.simulator.pay(await stack.createPayment('cli-dlq', '10.00'), 'success');
    await stack.workSettled();

    // Without --all or --id, redrive touches nothing: it may run beside the first look.
    const [listed, refused] = await Promise.all([run('dlq', 'list'), run('dlq', 'redrive')]);
    const again = await run('dlq', 'list', '--json');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      /\n[0-9a-f-]{36}\s+\S+Z\s+1\s+payment-work\s+cli-dlq\s+cli-dlq#2\s+Failed 1 times: Error: The merchant endpoint did not accept payment\.reserved: HTTP 500\.\n/,
    );
    // Peeking leaves the message in the queue.
    const [parked] = JSON.parse(again.stdout) as {
      messageId: string;
      shopOrderId: string;
      attempts: string;
    }[];
    expect(parked).toMatchObject({ shopOrderId: 'cli-dlq', attempts: '1' });

    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^payments: say which messages to move back to the work queue: --all, or --id/,
    );

    stack.merchant.answer('accept');
    const moved = await run('dlq', 'redrive', '--all');
    expect(moved.code).toBe(0);
    expect(moved.stdout).toMatch(/^Moved 1 message\(s\) from the dead-letter queue to the work queue:\n/);
    expect(moved.stdout).toContain(parked?.messageId);
    await stack.merchant.waitFor((events) => events.some((e) => e.shopOrderId === 'cli-dlq'));
    await stack.workSettled();
    expect((await run('dlq', 'list')).stdout).toBe('The dead-letter queue is empty.\n');
  });

  it('resends the latest event of an order: the merchant receives the same event id again', async () => {
    const delivered = stack.merchant.accepted().filter((e) => e.shopOrderId === 'cli-paid');
    expect(delivered).toHaveLength(1);

    const { code, stdout } = await run('resend', 'cli-paid');

    expect(code).toBe(0);
    expect(stdout).toContain(
      `Queued payment.reserved ${delivered[0]?.id} of order cli-paid (work cli-paid#2) again.`,
    );
    expect(stdout).toMatch(/It had been delivered at \S+Z; its work record was reset/);
    const after = await stack.merchant.waitFor(
      (events) => events.filter((e) => e.shopOrderId === 'cli-paid').length === 2,
    );
    expect(new Set(after.filter((e) => e.shopOrderId === 'cli-paid').map((e) => e.id))).toEqual(
      new Set([delivered[0]?.id]),
    );
  });
});

describe('npm run payments -- reconcile', () => {
  /** The gateway as an operator names it: here the stack's simulator and its API user. */
  const gateway = () => ({
    ALTAPAY_GATEWAY_URL: stack.simulator.url,
    ALTAPAY_API_USERNAME: process.env.ALTAPAY_API_USERNAME,
    ALTAPAY_API_PASSWORD: process.env.ALTAPAY_API_PASSWORD,
  });

  it('records a payment whose callback never came from what the gateway says, and the merchant hears of it', async () => {
    await stack.simulator.pay(await stack.createPayment('cli-unheard', '120.00'), 'success-unheard');

    const first = await payments(['reconcile', 'cli-unheard', ...local()], gateway());
    const again = await payments(['reconcile', 'cli-unheard', '--json', ...local()], gateway());

    expect(first.code).toBe(0);
    expect(first.stdout).toBe(
      'Order cli-unheard: recorded what the gateway holds, status created → reserved.\n' +
        'The worker confirms the change and tells the merchant.\n' +
        'Follow it with: npm run payments -- show cli-unheard\n',
    );
    expect(JSON.parse(again.stdout)).toEqual({
      shopOrderId: 'cli-unheard',
      outcome: 'unchanged',
      statusBefore: 'reserved',
      status: 'reserved',
    });
    await stack.merchant.waitFor((events) => events.some((e) => e.shopOrderId === 'cli-unheard'));
    const shown = await run('show', 'cli-unheard');
    expect(shown.stdout).toMatch(
      /Callbacks received \(1\)\n.*\n {2}\S+Z\s+reconciled\s+changed\s+reserved\s/,
    );
  });

  it('changes nothing for an order the gateway holds nothing for, and refuses an unknown order', async () => {
    await stack.createPayment('cli-abandoned', '10.00');

    const [abandoned, unknown] = await Promise.all([
      payments(['reconcile', 'cli-abandoned', ...local()], gateway()),
      payments(['reconcile', 'cli-nobody', ...local()], gateway()),
    ]);

    expect(abandoned.stdout).toBe(
      'Order cli-abandoned: the gateway holds no payment for it. Nothing changed (status created).\n',
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('payments: No payment is recorded for shop order cli-nobody\n');
  });

  it('says what it needs when it does not know the gateway (a deployed stack without the API user)', async () => {
    const { code, stdout, stderr } = await payments(['reconcile', 'cli-paid', ...local()], {
      ALTAPAY_GATEWAY_URL: undefined,
      ALTAPAY_API_USERNAME: undefined,
      ALTAPAY_API_PASSWORD: undefined,
    });

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'payments: reconcile asks the gateway itself and does not know it here: set ALTAPAY_GATEWAY_URL, ' +
        "ALTAPAY_API_USERNAME, ALTAPAY_API_PASSWORD (the deployment's gateway and the API user of its " +
        'altapay-api secret), or leave it to the scheduled reconciler\n',
    );
  });
});

describe('npm run payments: help and mistakes', () => {
  it('prints help, for the CLI and per command', async () => {
    const [general, show] = await Promise.all([payments(['--help']), payments(['show', '--help'])]);

    expect(general.code).toBe(0);
    expect(general.stdout).toMatch(/^Usage: npm run payments -- <command> \[options\]/);
    expect(general.stdout).toContain('dlq redrive');
    expect(show.stdout).toMatch(/^Usage: npm run payments -- show <shopOrderId> \[--json\]/);
  });

  it('refuses a bad option or command with the usage and exit code 1', async () => {
    const [unknown, misplaced, command] = await Promise.all([
      run('list', '--bogus'),
      run('list', '--interval', '2s'),
      run('frobnicate'),
    ]);

    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /^payments: Unknown option '--bogus'\n\nUsage: npm run payments -- <command>/,
    );
    expect(misplaced.stderr).toMatch(
      /^payments: option --interval does not apply to list\n\nUsage: npm run payments -- list/,
    );
    expect(command.stderr).toMatch(/^payments: unknown command 'frobnicate'\n/);
    for (const r of [unknown, misplaced, command]) expect(noStackTrace(r.stderr)).toBe(true);
  });

  it('says the local stack is not running, with no state file and with a stale one', async () => {
    const dir = tempDir('payments-cli-');
    const stale = join(dir, 'stack.json');
    const closed = await closedPort();
    const gone = `http://127.0.0.1:${closed}`;
    await writeFile(
      stale,
      JSON.stringify({
        dynamodbEndpoint: gone,
        sqsEndpoint: gone,
        tableName: 'payments',
        queueUrl: `${gone}/123456789012/payment-work`,
        dlqUrl: `${gone}/123456789012/payment-work-dlq`,
        region: localRegion,
        apiUrl: 'http://127.0.0.1:3000',
        pid: process.pid,
        startedAt: new Date().toISOString(),
      }),
    );

    const [absent, refused] = await Promise.all([
      payments(['list']),
      payments(['dlq', 'list'], { PAYMENTS_LOCAL_STACK_FILE: stale }),
    ]);

    for (const r of [absent, refused]) {
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('payments: The local stack is not running: start it with npm start\n');
    }
  });
});

describe('npm run payments on a deployed stack', () => {
  let sqs: SQSClient;
  let fakeAws: Server;
  let fakeAwsUrl = '';
  // The SDK reads these like any AWS endpoint override: here, the emulators stand in for AWS.
  const aws = () => ({
    AWS_ENDPOINT_URL_DYNAMODB: stack.resources.dynamodbEndpoint,
    AWS_ENDPOINT_URL_SQS: stack.resources.sqsEndpoint,
  });

  beforeAll(async () => {
    // Named as CloudFormation names the Stateful stack's resources: <stack>-<logical id>-<random>.
    await createPaymentsTable(
      stack.resources.dynamodbEndpoint,
      'CliTest-Stateful-PaymentsTable48A42630-1Q2W3E4R5T6Y',
    );
    sqs = new SQSClient({
      region: localRegion,
      endpoint: stack.resources.sqsEndpoint,
      credentials: fakeCredentials,
    });
    for (const name of [
      'CliTest-Stateful-WorkDeadLetterQueue12144CB6-aB3dE5',
      'CliTest-Stateful-WorkQueue94013F35-fG7hI9',
    ]) {
      await sqs.send(new CreateQueueCommand({ QueueName: name }));
    }
    // Answers every DynamoDB request as AWS does when the caller's policy does not allow it.
    fakeAws = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#AccessDeniedException',
            message:
              'User: arn:aws:iam::123456789012:user/ops is not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:eu-west-1:123456789012:table/payments/index/byStatus',
          }),
        );
      });
    });
    await new Promise<void>((resolve) => fakeAws.listen(0, '127.0.0.1', resolve));
    const address = fakeAws.address();
    fakeAwsUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });

  afterAll(async () => {
    sqs?.destroy();
    await new Promise<void>((resolve) => {
      fakeAws?.close(() => resolve());
      fakeAws?.closeAllConnections();
    });
  });

  it('finds the table and queues of --stack by the names CloudFormation gives them', async () => {
    const [list, dlq] = await Promise.all([
      payments(['list', '--stack', 'CliTest', '--region', localRegion], aws()),
      payments(['dlq', 'list', '--stack', 'CliTest-Stateful', '--region', localRegion], aws()),
    ]);

    expect(list).toMatchObject({ code: 0, stdout: 'No payments.\n' });
    expect(dlq).toMatchObject({ code: 0, stdout: 'The dead-letter queue is empty.\n' });
  });

  it('answers a wrong --stack, missing credentials and a refused permission with one line each', async () => {
    const [wrong, anonymous, denied] = await Promise.all([
      payments(['list', '--stack', 'Nope', '--region', localRegion], aws()),
      payments(['list', '--stack', 'CliTest', '--region', localRegion], {
        ...aws(),
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
        AWS_CONFIG_FILE: join(tmpdir(), 'no-such-dir', 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), 'no-such-dir', 'credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
      }),
      payments(['list', '--table', 'payments', '--region', localRegion], {
        AWS_ENDPOINT_URL_DYNAMODB: fakeAwsUrl,
      }),
    ]);

    expect(wrong.stderr).toBe(
      'payments: Stack Nope-Stateful not found in eu-west-1: no table Nope-Stateful-PaymentsTable… (check --stack and --region, or pass --table <name>)\n',
    );
    expect(anonymous.stderr).toMatch(/^payments: No AWS credentials: set AWS_PROFILE/);
    expect(denied.stderr).toBe(
      'payments: Access denied on table payments in eu-west-1: User: arn:aws:iam::123456789012:user/ops is not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:eu-west-1:123456789012:table/payments/index/byStatus\n',
    );
    for (const r of [wrong, anonymous, denied]) {
      expect(r.code).toBe(1);
      expect(r.stderr.split('\n')).toHaveLength(2);
    }
  });
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 1;
}
