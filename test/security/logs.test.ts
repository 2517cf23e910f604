import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiResponseXml, callbackFields } from '../../local/altapay-simulator/index';
import { encodeFormBody } from '../../shared/altapay/form-body';
import { eventually, useLocalStack } from '../support/local-stack';

/**
 * No card data in logs: every line the Lambdas write during a full run (checkouts that pay, decline
 * and stay open, a forged callback, hostile input, the worker's confirmations and hand-offs) is
 * captured with logging at its most verbose, and none may carry a masked PAN, a card or blacklist
 * token, an e-mail address or the raw xml.
 */
const lines: string[] = [];
const writes = { stdout: process.stdout.write, stderr: process.stderr.write };

beforeAll(() => {
  const capture =
    (original: typeof process.stdout.write) =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return (original as (chunk: string | Uint8Array, ...args: unknown[]) => boolean).call(
        process.stdout,
        chunk,
        ...rest,
      );
    };
  process.stdout.write = capture(writes.stdout) as typeof process.stdout.write;
  process.stderr.write = capture(writes.stderr) as typeof process.stderr.write;
});

afterAll(() => {
  process.stdout.write = writes.stdout;
  process.stderr.write = writes.stderr;
});

// Both consoles: the JSON lines of Lambda and the short lines of npm start.
describe.each([
  { format: 'json', recorded: '"callback recorded"', done: '"work done"' },
  { format: 'short', recorded: ' callback recorded ', done: ' work done ' },
])('the logs of a full run (LOG_FORMAT=$format)', ({ format, recorded, done }) => {
  const stack = useLocalStack(
    { POWERTOOLS_LOG_LEVEL: 'DEBUG', ALTAPAY_CALLBACK_SECRET: 'log-test-secret', LOG_FORMAT: format },
    { notificationDelayMs: 200 },
  );
  beforeAll(() => {
    lines.length = 0;
  });

  it('carry the decisions but no card data, token, e-mail address or xml', async () => {
    // Checkouts that pay, decline and wait for a notification, with customer data on the request.
    for (const [order, outcome] of [
      ['log-paid', 'success'],
      ['log-declined', 'decline'],
      ['log-open', 'open-success'],
    ] as const) {
      const id = await stack.createPayment(order, '249.00');
      await stack.simulator.pay(id, outcome);
    }
    await stack.waitForStatus('log-open', 'reserved');
    // A forged callback (a transaction the gateway never made) and hostile input.
    const forged = stack.simulator.transactions('log-paid')[0];
    if (forged === undefined) throw new Error('no transaction to copy');
    const fake = {
      ...forged,
      transactionId: '99999999',
      shopOrderId: 'log-forged',
      creditCardToken: 'f'.repeat(40),
    };
    const xml = apiResponseXml({
      path: 'API/reservationOfFixedAmount',
      result: 'Success',
      transactions: [fake],
    });
    const fields = callbackFields({
      transaction: fake,
      status: 'succeeded',
      result: 'Success',
      requireCapture: true,
      xml,
      secret: 'log-test-secret',
    });
    await fetch(`${stack.apiUrl}/callbacks/ok`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: encodeFormBody(fields),
    });
    await fetch(`${stack.apiUrl}/callbacks/ok`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: encodeFormBody({ ...fields, xml: '<!DOCTYPE x><x/>' }),
    });
    await eventually(
      'the merchant received the paid and opened orders',
      () =>
        ['log-paid', 'log-open'].every((o) => stack.merchant.accepted().some((e) => e.shopOrderId === o)) ||
        undefined,
    );
    await stack.workSettled();

    // What must never appear: everything card-like the gateway sent us in this run.
    const sent = stack.simulator.deliveries.flatMap((d) => [
      d.fields.masked_credit_card,
      d.fields.credit_card_token,
      d.fields.blacklist_token,
    ]);
    const secrets = [...new Set(sent.filter((v): v is string => Boolean(v))), fake.creditCardToken];
    const logged = lines.join('\n');

    expect(lines.filter((l) => l.includes(recorded)).length).toBeGreaterThanOrEqual(5);
    expect(logged).toContain(done);
    for (const secret of secrets) expect(logged).not.toContain(secret);
    expect(logged).not.toMatch(/\d{6}\*{2,}\d{2,4}/); // a masked PAN
    expect(logged).not.toMatch(/[\w.+-]+@[\w-]+\.[a-z]{2,}/i); // an e-mail address
    expect(logged).not.toMatch(/<\?xml|<APIResponse|&lt;APIResponse/); // the raw xml
    expect(logged).not.toContain('log-test-secret');
  });
});
