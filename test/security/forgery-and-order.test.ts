import { describe, expect, it } from 'vitest';
import { callbackLogLimit } from '../../shared/payments/callback-log';
import type { PaymentView } from '../../shared/payments/payment-view';
import { claimedStatus } from '../support/claimed-status';
import { useEmulators } from '../support/emulators';
import { callbackFields, signed, transactionXml } from '../support/gateway';
import { type LocalApi, useLocalApi } from '../support/local-api';

/**
 * Forgeries, replays, bursts and every delivery order, over real HTTP with a shared secret set.
 * None may change a payment wrongly; the figures go to the README's reliability section.
 */
const secret = 'terminal-secret-2026';
const oldSecret = 'terminal-secret-2025';
const stack = useEmulators();

const read = async (api: LocalApi, id: string) => (await (await api.getPayment(id)).json()) as PaymentView;
const xml = (order: string, options: Partial<Parameters<typeof transactionXml>[0]> = {}) =>
  transactionXml({
    shopOrderId: order,
    transactionId: '8001',
    status: 'preauth',
    reserved: '50.00',
    ...options,
  });
const post = (api: LocalApi, type: 'ok' | 'fail' | 'open' | 'notification', document: string, key = secret) =>
  api.postCallback(type, signed(callbackFields(document), key));

describe('during a secret rotation (new and previous secret configured)', () => {
  const api = useLocalApi(stack, {
    ALTAPAY_CALLBACK_SECRET: secret,
    ALTAPAY_CALLBACK_SECRET_PREVIOUS: oldSecret,
  });

  it('accepts callbacks signed with either secret', async () => {
    expect((await post(api, 'ok', xml('rot-1'))).status).toBe(200);
    expect((await post(api, 'ok', xml('rot-2'), oldSecret)).status).toBe(200);
  });
});

describe('with the secret configured', () => {
  const api = useLocalApi(stack, { ALTAPAY_CALLBACK_SECRET: secret });

  describe('forgeries', () => {
    it('refuses the old secret once the rotation is finished', async () => {
      const response = await post(api, 'ok', xml('forge-1'), oldSecret);

      expect(response.status).toBe(403);
      expect((await api.getPayment('forge-1')).status).toBe(404);
    });

    it.each([
      [
        'missing',
        (f: Record<string, string>) =>
          Object.fromEntries(Object.entries(f).filter(([k]) => k !== 'checksum')),
      ],
      ['wrong', (f: Record<string, string>) => ({ ...f, checksum: 'f'.repeat(32) })],
      ['truncated', (f: Record<string, string>) => ({ ...f, checksum: (f.checksum ?? '').slice(0, 16) })],
      ['empty', (f: Record<string, string>) => ({ ...f, checksum: '' })],
      ['padded', (f: Record<string, string>) => ({ ...f, checksum: ` ${f.checksum ?? ''}` })],
      [
        'made over a changed amount',
        (f: Record<string, string>) => ({
          ...signed({ ...f, amount: '1.00' }, secret),
          amount: f.amount ?? '',
        }),
      ],
    ])('refuses a %s checksum (403) and stores nothing', async (_, tamper) => {
      const order = `forge-${_.replace(/\W/g, '')}`;

      const response = await api.postCallback('ok', tamper(signed(callbackFields(xml(order)), secret)));

      expect(response.status).toBe(403);
      expect((await api.getPayment(order)).status).toBe(404);
    });

    it('refuses a genuine signature on xml that describes another order (the checksum covers only the form)', async () => {
      const fields = signed(callbackFields(xml('victim-1')), secret);

      const response = await api.postCallback('ok', {
        ...fields,
        xml: xml('attacker-1', { status: 'captured', captured: '50.00' }),
      });

      expect(response.status).toBe(400);
      expect((await api.getPayment('victim-1')).status).toBe(404);
      expect((await api.getPayment('attacker-1')).status).toBe(404);
    });
  });

  describe('replays', () => {
    it('ignores a valid old callback replayed after newer ones', async () => {
      const reserved = xml('replay-1', { updated: '2026-11-20 10:00:00' });
      const captured = xml('replay-1', {
        status: 'captured',
        captured: '50.00',
        updated: '2026-11-20 11:00:00',
      });
      await post(api, 'ok', reserved);
      await post(api, 'notification', captured);

      const replay = await post(api, 'ok', reserved);

      expect(replay.status).toBe(200);
      const stored = await read(api, 'replay-1');
      expect(claimedStatus(stored)).toBe('captured');
      expect(stored.callbackLog.at(-1)?.outcome).toBe('stale');
    });

    it('ignores a fail replayed after a success', async () => {
      await post(api, 'ok', xml('replay-2'));

      const fail = await post(
        api,
        'fail',
        xml('replay-2', {
          status: 'preauth_error',
          reserved: '0.00',
          result: 'Failed',
          updated: '2026-11-20 12:00:00',
        }),
      );

      expect(fail.status).toBe(200);
      expect(claimedStatus(await read(api, 'replay-2'))).toBe('reserved');
    });
  });

  describe('concurrency', () => {
    it('answers 100 identical callbacks at once with 100 successes and one state change', async () => {
      await api.queuedWork();
      const fields = signed(callbackFields(xml('burst-100')), secret);

      const answers = await Promise.all(Array.from({ length: 100 }, () => api.postCallback('ok', fields)));

      expect(answers.map((a) => a.status)).toEqual(Array(100).fill(200));
      const stored = await read(api, 'burst-100');
      // Every callback accounted for: the log keeps the first ones in full and counts the rest.
      expect(stored.callbackLog.length + stored.callbacksNotLogged).toBe(100);
      expect(stored.callbackLog).toHaveLength(callbackLogLimit);
      expect(stored.callbackLog.filter((e) => e.outcome === 'changed')).toHaveLength(1);
      expect((await api.queuedWork()).filter((w) => w.shopOrderId === 'burst-100')).toHaveLength(1);
    });

    it('settles an ok and a notification arriving at the same instant on the newer state', async () => {
      const ok = xml('same-instant', { updated: '2026-11-20 10:00:00' });
      const notification = xml('same-instant', {
        status: 'captured',
        captured: '50.00',
        updated: '2026-11-20 10:00:01',
      });

      const answers = await Promise.all([post(api, 'ok', ok), post(api, 'notification', notification)]);

      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      expect(claimedStatus(await read(api, 'same-instant'))).toBe('captured');
    });

    it('keeps two different successful payments for one order, flagging the second', async () => {
      await post(api, 'ok', xml('two-payments', { transactionId: '8101' }));
      await post(api, 'ok', xml('two-payments', { transactionId: '8102' }));

      const stored = await read(api, 'two-payments');

      expect(stored.transactions.map((t) => [t.transactionId, t.flag])).toEqual([
        ['8101', undefined],
        ['8102', 'second-successful-payment'],
      ]);
      expect(stored.flags).toEqual(['second-successful-payment']);
    });
  });

  describe('every delivery order', () => {
    const permutations = <T>(items: readonly T[]): T[][] =>
      items.length <= 1
        ? [[...items]]
        : items.flatMap((item, i) =>
            permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
          );

    const openThenPaid = (order: string) =>
      [
        [
          'open',
          xml(order, {
            status: 'invoice_initialized',
            reserved: '0.00',
            result: 'Open',
            updated: '2026-11-20 10:00:00',
          }),
        ],
        ['notification', xml(order, { status: 'preauth', updated: '2026-11-20 10:05:00' })],
        ['ok', xml(order, { status: 'preauth', updated: '2026-11-20 10:05:00' })],
      ] as const;

    it.each(permutations([0, 1, 2]).map((order) => [order.join(',')]))(
      '(open, notification, ok) in the order %s ends reserved',
      async (order) => {
        const id = `order-ono-${order.replace(/,/g, '')}`;
        const deliveries = openThenPaid(id);

        for (const i of order.split(',').map(Number)) {
          const [type, document] = deliveries[i] ?? deliveries[0];
          expect((await post(api, type, document)).status).toBe(200);
        }

        const stored = await read(api, id);
        expect(claimedStatus(stored)).toBe('reserved');
        expect(stored.transactions).toEqual([expect.objectContaining({ gatewayStatus: 'preauth' })]);
      },
    );

    it.each([['ok,fail'], ['fail,ok']])('(ok, fail) in the order %s ends reserved', async (order) => {
      const id = `order-of-${order.replace(',', '')}`;
      const documents = {
        ok: xml(id, { updated: '2026-11-20 10:00:00' }),
        fail: xml(id, {
          status: 'preauth_error',
          reserved: '0.00',
          result: 'Failed',
          updated: '2026-11-20 10:00:30',
        }),
      };

      for (const type of order.split(',') as ('ok' | 'fail')[]) await post(api, type, documents[type]);

      expect(claimedStatus(await read(api, id))).toBe('reserved');
    });
  });
});
