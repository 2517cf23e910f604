import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseApiResponse } from '../../shared/altapay/api-response';
import { checksumMatches } from '../../shared/altapay/checksum';
import { decodeFormBody } from '../../shared/altapay/form-body';
import { runScript, type ScriptRun } from '../support/run-script';

/** Runs the CLI the way `npm run altapay --` does, without a secret in the environment. */
function altapay(...args: string[]): Promise<ScriptRun> {
  const env = { ...process.env };
  delete env.ALTAPAY_CALLBACK_SECRET;
  return runScript('scripts/altapay.ts', args, env);
}

const received: { path: string; fields: ReadonlyMap<string, string> }[] = [];
let answer: { status: number; contentType: string; body: string; location?: string };
let server: Server;
let url = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', fields: decodeFormBody(Buffer.concat(chunks)) });
      res.writeHead(answer.status, {
        'content-type': answer.contentType,
        ...(answer.location === undefined ? {} : { location: answer.location }),
      });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
});

beforeEach(() => {
  received.length = 0;
  answer = {
    status: 200,
    contentType: 'text/html; charset=utf-8',
    body: '<!DOCTYPE html><html><head><title>Receipt</title><style>p{}</style></head><body><h1>Thank you</h1><p>Paid.</p></body></html>',
  };
});

describe('npm run altapay -- trigger', () => {
  it('posts a signed callback_ok whose xml describes the order, and prints the answer', async () => {
    const run = await altapay(
      'trigger',
      'ok',
      '--url',
      `${url}/cb`,
      '--order',
      'o-1',
      '--amount',
      '12.50',
      '--secret',
      's',
    );

    expect(run.code).toBe(0);
    expect(received).toHaveLength(1);
    const [request] = received;
    const fields = Object.fromEntries(request?.fields ?? []);
    expect(request?.path).toBe('/cb');
    expect(fields).toMatchObject({
      shop_orderid: 'o-1',
      amount: '12.50',
      currency: '208',
      status: 'succeeded',
    });
    const { amount = '', currency = '', shop_orderid = '', checksum = '' } = fields;
    expect(checksumMatches({ amount, currency, shop_orderid }, checksum, ['s'])).toBe(true);
    const xml = parseApiResponse(fields.xml ?? '');
    expect(xml.result).toBe('Success');
    expect(xml.transactions[0]).toMatchObject({
      shopOrderId: 'o-1',
      transactionStatus: 'preauth',
      reservedAmount: '12.50',
      transactionId: fields.transaction_id,
    });
    expect(run.stdout).toContain('HTTP 200');
    expect(run.stdout).toContain('content-type: text/html; charset=utf-8');
    expect(run.stdout).toContain('title: Receipt');
    expect(run.stdout).toContain('h1: Thank you');
    expect(run.stdout).not.toContain('p{}');
  });

  it('posts a declined fail callback with the given transaction id and status, unsigned without a secret', async () => {
    const run = await altapay(
      'trigger',
      'fail',
      '--url',
      `${url}/fail`,
      '--order',
      'o-2',
      '--currency',
      'EUR',
      '--transaction',
      '4711',
      '--status',
      '3dsecure_failed',
    );

    expect(run.code).toBe(0);
    const fields = Object.fromEntries(received[0]?.fields ?? []);
    expect(fields).toMatchObject({
      currency: '978',
      amount: '100.00',
      transaction_id: '4711',
      status: 'failed',
    });
    expect(fields.checksum).toBeUndefined();
    const xml = parseApiResponse(fields.xml ?? '');
    expect(xml).toMatchObject({ result: 'Failed', cardHolderMessageMustBeShown: true });
    expect(xml.transactions[0]).toMatchObject({
      transactionId: '4711',
      transactionStatus: '3dsecure_failed',
    });
  });

  it('prints the location of a redirect and exits 0', async () => {
    answer = { status: 303, contentType: 'text/plain', body: '', location: 'https://shop.example/receipt' };

    const run = await altapay('trigger', 'notification', '--url', `${url}/n`, '--order', 'o-3');

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('HTTP 303');
    expect(run.stdout).toContain('location: https://shop.example/receipt');
    const transaction = parseApiResponse(received[0]?.fields.get('xml') ?? '').transactions[0];
    expect(transaction?.transactionStatus).toBe('preauth');
    expect((transaction?.updatedDate ?? '') > (transaction?.createdDate ?? '')).toBe(true);
  });

  it('exits 1 when the answer is 4xx', async () => {
    answer = { status: 403, contentType: 'application/json', body: '{"message":"Forbidden"}' };

    const run = await altapay('trigger', 'open', '--url', `${url}/open`, '--order', 'o-4');

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('HTTP 403');
    expect(run.stdout).toContain('{"message":"Forbidden"}');
  });

  it('prints one clear line and exits 1 for a bad URL', async () => {
    const run = await altapay('trigger', 'ok', '--url', 'not-a-url', '--order', 'o-5');

    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe("altapay: --url must be an http or https URL, not 'not-a-url'");
    expect(received).toHaveLength(0);
  });

  it('says what an amount looks like when given a decimal comma', async () => {
    const run = await altapay('trigger', 'ok', '--url', `${url}/ok`, '--order', 'o-7', '--amount', '249,00');

    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      "altapay: --amount must look like 100.00: digits, a dot, at most 2 decimals for DKK, not '249,00'",
    );
    expect(received).toHaveLength(0);
  });

  it('names an unknown callback type', async () => {
    const run = await altapay('trigger', 'refund', '--url', `${url}/x`, '--order', 'o-6');

    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain("unknown callback type 'refund'");
  });

  it('tells where to find a simulator when none answers at --gateway', async () => {
    const closed = await new Promise<string>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address();
        const port = typeof address === 'object' && address !== null ? address.port : 0;
        probe.close(() => resolve(`http://127.0.0.1:${port}`));
      });
    });

    const run = await altapay('trigger', 'pay', '--order', 'o-8', '--gateway', closed);

    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`altapay: no gateway simulator answers at ${closed}`);
    expect(run.stderr).toContain('start one (npm start, or npm run altapay -- gateway) or pass --gateway');
  });

  it.each([
    [
      ['pay', '--order', 'o-9', '--amount', '5.00'],
      "--amount applies to refund and chargeback only; pay takes the payment request's amount",
    ],
    [
      ['refund', '--order', 'o-9', '--amount', '5,00'],
      "--amount must look like 100.00: digits, a dot and the decimals, not '5,00'",
    ],
    [
      ['refund', '--order', 'o-9', '--secret', 's'],
      '--secret does not apply to trigger through the simulator (try --help)',
    ],
    [['refund'], '--order is required'],
    [
      ['ok', '--order', 'o-9'],
      "--url is required for 'ok' (or use pay, decline, refund or chargeback through the simulator)",
    ],
  ])('refuses trigger %j in plain words', async (args, message) => {
    const run = await altapay('trigger', ...args);

    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`altapay: ${message}`);
    expect(received).toHaveLength(0);
  });
});
