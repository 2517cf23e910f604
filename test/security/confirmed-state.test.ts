import { describe, expect, it } from 'vitest';
import { encodeFormBody } from '../../shared/altapay/form-body';
import { eventually, useLocalStack } from '../support/local-stack';
import { signedJsonRequest } from '../support/signed-order';

/**
 * Only what the gateway confirms counts, end to end: real HTTP into the real handlers, the AltaPay
 * simulator, dynalite, the work queue and the real worker, the gateway lookups behind a fault proxy.
 * A callback's checksum covers only order id, amount and currency, so anyone holding one signed
 * callback of an order can replay its fields with any xml: such a claim is shown, never counted,
 * and reaches the merchant only if the gateway agrees (issue 14, attacks 3 and 4).
 */
const terminalSecret = 'confirmed-state-terminal-secret';
const stack = useLocalStack({ ALTAPAY_CALLBACK_SECRET: terminalSecret }, { faults: true });

const eventsFor = (shopOrderId: string) =>
  stack.merchant.received.filter((e) => e.shopOrderId === shopOrderId);

/** The signed fields the gateway posted for the order, as an attacker who saw them would have them. */
function postedFields(shopOrderId: string, type: 'ok' | 'fail' | 'verify_order') {
  const delivery = stack.simulator.deliveries.find(
    (d) => d.type === type && d.fields.shop_orderid === shopOrderId,
  );
  if (delivery === undefined) throw new Error(`no ${type} posted for ${shopOrderId}`);
  return delivery;
}

/** Posts `fields` (their checksum untouched) as a callback of `type`, its xml rewritten by `edit`. */
async function replay(
  fields: Readonly<Record<string, string>>,
  type: 'notification' | 'ok',
  edit: (xml: string) => string,
): Promise<number> {
  const xml = edit(fields.xml ?? '');
  expect(xml).not.toBe(fields.xml);
  const response = await fetch(`${stack.apiUrl}/callbacks/${type}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: encodeFormBody({ ...fields, xml }),
  });
  await response.text();
  return response.status;
}

const withStatus = (status: string) => (xml: string) =>
  xml.replace(
    /<TransactionStatus>[^<]*<\/TransactionStatus>/,
    `<TransactionStatus>${status}</TransactionStatus>`,
  );

describe('a real payment', () => {
  it('shows the ok as a claim until the worker confirms it, then one payment.reserved with the expected amount', async () => {
    const order = 'cs-real';
    const pid = await stack.createPayment(order, '249.00');
    await stack.pauseWorker();
    await stack.simulator.pay(pid, 'success');

    const claimed = await stack.payment(order);
    expect(claimed).toMatchObject({
      status: 'created',
      claim: { status: 'reserved', callbackType: 'ok', receivedAt: expect.any(String) },
      expected: { amount: '249.00', currency: 'DKK' },
      transactions: [expect.objectContaining({ gatewayStatus: 'preauth', confirmed: false })],
    });

    stack.resumeWorker();
    await stack.merchant.waitFor((events) => events.some((e) => e.shopOrderId === order));
    await stack.workSettled();

    const confirmed = await stack.payment(order);
    expect(confirmed).toMatchObject({
      status: 'reserved',
      transactions: [expect.objectContaining({ confirmed: true })],
    });
    expect(confirmed).not.toHaveProperty('claim');
    const events = eventsFor(order);
    expect(events.map((e) => e.type)).toEqual(['payment.reserved']);
    expect(JSON.parse(events[0]?.rawBody ?? '{}').data).toMatchObject({
      status: 'reserved',
      expected: { amount: '249.00', currency: 'DKK' },
      transactions: [expect.objectContaining({ reservedAmount: '249.00' })],
    });
  });
});

describe('attack 3: a reserved order replayed as a downgrade', () => {
  const downgrades = [
    ['released', withStatus('released'), 'claimed'],
    ['refunded', (xml: string) => withStatus('refunded')(xml), 'claimed'],
    [
      'chargeback',
      (xml: string) => xml.replace(/<Result>[^<]*<\/Result>/, '<Result>ChargebackEvent</Result>'),
      'claimed',
    ],
    // Below what is recorded: ignored as stale, never even a claim.
    ['failed', withStatus('epayment_declined'), 'stale'],
    ['cancelled', withStatus('epayment_cancelled'), 'stale'],
  ] as const;

  it.each(downgrades)(
    'a replayed %s tells the merchant nothing and leaves it reserved',
    async (name, edit, kind) => {
      const order = `cs-replay-${name}`;
      await stack.simulator.pay(await stack.createPayment(order, '100.00'), 'success');
      await stack.merchant.waitFor((events) => events.some((e) => e.shopOrderId === order));
      await stack.workSettled();
      expect((await stack.payment(order))?.status).toBe('reserved');

      expect(await replay(postedFields(order, 'ok').fields, 'notification', edit)).toBe(200);
      await stack.workSettled();

      const after = await stack.payment(order);
      expect(eventsFor(order).map((e) => e.type)).toEqual(['payment.reserved']);
      expect(after?.status).toBe('reserved');
      expect(after).not.toHaveProperty('claim');
      expect(after?.transactions).toEqual([
        expect.objectContaining({ gatewayStatus: 'preauth', confirmed: true }),
      ]);
      expect(after?.flags).toEqual(kind === 'claimed' ? ['unconfirmed'] : []);
    },
  );
});

describe('attack 4: a forged captured for a declined order', () => {
  it('shows as a claim while the gateway cannot be reached, never as paid; once refuted the real customer pays', async () => {
    const order = 'cs-forged-capture';
    const declined = await stack.createPayment(order, '100.00');
    await stack.simulator.pay(declined, 'decline');
    await stack.workSettled();
    expect((await stack.payment(order))?.status).toBe('failed');
    const eventsBefore = eventsFor(order).map((e) => e.type);

    stack.faults.gateway.set('down');
    const forged = (xml: string) =>
      withStatus('captured')(xml)
        .replace(/<ReservedAmount>[^<]*<\/ReservedAmount>/, '<ReservedAmount>100.00</ReservedAmount>')
        .replace(/<CapturedAmount>[^<]*<\/CapturedAmount>/, '<CapturedAmount>100.00</CapturedAmount>');
    expect(await replay(postedFields(order, 'fail').fields, 'notification', forged)).toBe(200);

    const pending = await stack.payment(order);
    expect(pending).toMatchObject({
      status: 'failed',
      claim: { status: 'captured', callbackType: 'notification' },
    });
    // While the claim waits, no second payment may start: it could take the money twice.
    const meanwhile = await fetch(
      `${stack.apiUrl}/payments`,
      signedJsonRequest({ shopOrderId: order, amount: '100.00', currency: 'DKK' }, stack.shopOrderKey),
    );
    expect(meanwhile.status).toBe(409);
    expect(await meanwhile.json()).toMatchObject({ error: 'payment_in_progress' });
    const verify = postedFields(order, 'verify_order');
    const answer = await fetch(verify.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: encodeFormBody(verify.fields),
    });
    expect(await answer.text()).toMatch(/already being processed/);

    stack.faults.gateway.set('pass');
    const refuted = await eventually(
      'the claim refuted',
      async () => {
        const payment = await stack.payment(order);
        return payment?.claim === undefined ? payment : undefined;
      },
      15_000,
    );
    await stack.workSettled();
    expect(refuted).toMatchObject({ status: 'failed', flags: ['unconfirmed'] });
    expect(eventsFor(order).map((e) => e.type)).toEqual(eventsBefore);

    await stack.simulator.pay(await stack.createPayment(order, '100.00'), 'success');
    await stack.merchant.waitFor((events) =>
      events.some((e) => e.shopOrderId === order && e.type === 'payment.reserved'),
    );
    expect((await stack.waitForStatus(order, 'reserved')).status).toBe('reserved');
  }, 30_000);
});
