import { describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';
import { runScript, type ScriptRun } from '../support/run-script';

/** The terminal's shared secret: the simulator signs its callbacks, the callback handlers check them. */
const stack = useLocalStack({ ALTAPAY_CALLBACK_SECRET: 'terminal-secret' });

/** `npm run altapay -- trigger …` in its own process, against the stack's simulator. */
function trigger(...args: string[]): Promise<ScriptRun> {
  return runScript('scripts/altapay.ts', ['trigger', ...args, '--gateway', stack.simulator.url], {
    PATH: process.env.PATH,
  });
}

describe('npm run altapay -- trigger, through the gateway simulator, on the whole local stack', () => {
  it("pays and refunds an order made through create-payment; the worker's gateway lookup confirms each", async () => {
    const order = 'tg-1';
    await stack.createPayment(order, '250.00', 'paymentAndCapture');

    const paid = await trigger('pay', '--order', order);

    expect(paid.stderr).toBe('');
    expect(paid.code).toBe(0);
    expect(paid.stdout).toMatch(/transaction \d+ of order tg-1 is now captured/);
    expect(paid.stdout).toMatch(/The shop: callback_ok answered HTTP (200|303)/);
    const captured = await stack.waitForStatus(order, 'captured', 15_000);
    expect(captured.claim).toBeUndefined();
    expect(captured.transactions[0]).toMatchObject({ confirmed: true, capturedAmount: '250.00' });
    await stack.merchant.waitFor((events) =>
      events.some((e) => e.shopOrderId === order && e.type === 'payment.captured'),
    );

    const refunded = await trigger('refund', '--order', order);

    expect(refunded.code).toBe(0);
    expect(refunded.stdout).toContain('is now refunded');
    expect(refunded.stdout).toContain('The shop: callback_notification answered HTTP 200');
    const view = await stack.waitForStatus(order, 'refunded', 15_000);
    expect(view.claim).toBeUndefined();
    expect(view.transactions[0]).toMatchObject({ confirmed: true, refundedAmount: '250.00' });
    await stack.merchant.waitFor((events) =>
      events.some((e) => e.shopOrderId === order && e.type === 'payment.refunded'),
    );
  });

  it('charges back a captured order: the worker confirms the chargeback with the gateway', async () => {
    const order = 'tg-2';
    await stack.createPayment(order, '80.00', 'paymentAndCapture');
    expect((await trigger('pay', '--order', order)).code).toBe(0);
    await stack.waitForStatus(order, 'captured', 15_000);

    const run = await trigger('chargeback', '--order', order);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('The shop: callback_notification answered HTTP 200');
    const view = await stack.waitForStatus(order, 'chargeback', 15_000);
    expect(view.claim).toBeUndefined();
    expect(view.transactions[0]?.confirmed).toBe(true);
  });

  it('says the simulator knows no such order and exits 1', async () => {
    const run = await trigger('pay', '--order', 'tg-unknown');

    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      'altapay: the simulator did not pay order tg-unknown: The simulator knows no payment for order tg-unknown',
    );
  });
});
