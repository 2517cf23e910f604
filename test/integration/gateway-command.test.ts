import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseApiResponse } from '../../shared/altapay/api-response';
import { type RunningScript, runScript, startScript } from '../support/run-script';

/** `npm run altapay -- gateway …` as a merchant runs it, without the stack's settings in the environment. */
const env = { PATH: process.env.PATH };

let running: RunningScript | undefined;

afterEach(async () => {
  // A failed test must not leave a simulator behind.
  if (running !== undefined) {
    try {
      process.kill(running.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    await running.exited;
    running = undefined;
  }
});

async function startGateway(...args: string[]): Promise<{ url: string; banner: string }> {
  running = startScript('scripts/altapay.ts', env, ['gateway', '--port', '0', ...args]);
  const banner = await running.waitForOutput(/Ctrl-C to stop\./);
  const url = /^Gateway\s+(http:\/\/\S+)$/m.exec(banner)?.[1];
  if (url === undefined) throw new Error(`no Gateway line in:\n${banner}`);
  return { url, banner };
}

function basic(username: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
}

/** Resolves true when nothing listens on `port` any more (we can listen there ourselves). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('npm run altapay -- gateway', () => {
  it('runs only the simulator: an SDK-style client logs in, creates a payment request, and finds the paid payment', async () => {
    const { url, banner } = await startGateway(
      '--terminal',
      'Shop A',
      '--terminal',
      'Shop B',
      '--username',
      'php-shop',
      '--password',
      'pw-123',
    );
    const auth = basic('php-shop', 'pw-123');

    expect(banner).toContain(`new AltapayMerchantAPI('${url}', 'php-shop', 'pw-123')`);
    expect(banner).toContain(`new \\Altapay\\Authentication('php-shop', 'pw-123', '${url}')`);
    expect(banner).toContain(
      `API(mode='test', url='${url}/merchant/', account='php-shop', password='pw-123')`,
    );
    expect(banner).toContain(`${url}/control/orders/`);

    const login = await fetch(`${url}/merchant/API/login`, { method: 'POST', headers: auth });
    expect(login.status).toBe(200);
    expect(parseApiResponse(await login.text())).toMatchObject({ result: 'OK' });
    const refused = await fetch(`${url}/merchant/API/login`, {
      method: 'POST',
      headers: basic('php-shop', 'wrong'),
    });
    expect(refused.status).toBe(401);

    const created = await fetch(`${url}/merchant/API/createPaymentRequest`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        terminal: 'Shop B',
        shop_orderid: 'php-1',
        amount: '49.95',
        currency: 'EUR',
      }).toString(),
    });
    const answer = await created.text();
    expect(parseApiResponse(answer).result).toBe('Success');
    expect(answer).toContain(`<Url>${url}/eCommerce/API/requestForm?pid=`);
    const paid = await fetch(`${url}/control/orders/php-1/pay`, { method: 'POST' });
    expect(paid.status).toBe(200);
    expect(await paid.json()).toMatchObject({ status: 'preauth' });

    const lookup = await fetch(`${url}/merchant/API/payments?shop_orderid=php-1`, { headers: auth });
    const [transaction] = parseApiResponse(await lookup.text()).transactions;
    expect(transaction).toMatchObject({
      shopOrderId: 'php-1',
      terminal: 'Shop B',
      transactionStatus: 'preauth',
      reservedAmount: '49.95',
    });
    expect(running?.output()).toMatch(/POST \/merchant\/API\/createPaymentRequest -> 200/);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'stops on %s with exit code 0 and frees its port',
    async (signal) => {
      const { url } = await startGateway();
      const script = running as RunningScript;

      process.kill(script.pid, signal);
      const { code } = await script.exited;

      expect(code).toBe(0);
      expect(script.output()).toContain('Stopped.');
      expect(await portIsFree(Number(new URL(url).port))).toBe(true);
    },
  );

  it('says so when its port is taken, and exits 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = String(typeof address === 'object' && address !== null ? address.port : 0);
    try {
      const run = await runScript('scripts/altapay.ts', ['gateway', '--port', port], env);

      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toBe(
        `altapay: port ${port} on 127.0.0.1 is in use by another process: pick another with --port (0 picks a free one)`,
      );
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it.each([
    [['--port', 'abc'], "--port must be a port number from 0 to 65535 (0 picks a free one), not 'abc'"],
    [['--port', '70000'], "--port must be a port number from 0 to 65535 (0 picks a free one), not '70000'"],
    [
      ['--terminal', ' '],
      "--terminal must name a terminal, such as --terminal 'AltaPay Test Terminal'; it was empty",
    ],
    [
      ['--username', 'u'],
      '--username and --password go together: give both, or neither for the local API user',
    ],
    [['--secret', ''], '--secret must not be empty: leave it out for unsigned callbacks'],
    [
      ['--notification-delay', 'soon'],
      "--notification-delay must be a number of seconds from 0 to 3600, such as 5 or 0.5, not 'soon'",
    ],
    [['--url', 'http://x.test'], '--url does not apply to gateway (try --help)'],
    [['extra'], "unexpected argument 'extra'"],
  ])('refuses %j in plain words and exits 1', async (args, message) => {
    const run = await runScript('scripts/altapay.ts', ['gateway', ...args], env);

    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`altapay: ${message}`);
    expect(run.stdout).toBe('');
  });
});
