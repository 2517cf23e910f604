import { describe, expect, it } from 'vitest';
import { callbackFields } from '../../local/altapay-simulator/index';
import type { SimTransaction } from '../../local/altapay-simulator/transaction';
import { encodeFormBody } from '../../shared/altapay/form-body';
import { recordCallback } from '../../shared/callbacks/record-callback';
import { claimedStatusOf, type Payment } from '../../shared/payments/payment';
import type { SealedCallback } from '../../shared/ports';
import { parseWorkMessage, runWorkMessage } from '../../shared/worker/run-work-message';
import { sealCallback } from '../../shared/worker/seal-callback';
import { MemoryPaymentStore, MemoryWorkQueue } from '../support/memory-store';

/** What the recorded callback claims (the worker confirms it later). */
const claimedOf = (payment: Payment | undefined) => payment && claimedStatusOf(payment);

/**
 * The queue fallback: when the table cannot take a callback, its verified facts wait on the work
 * queue, sealed, and the worker records them later through the same decision as a live callback.
 */
const silent = { info() {}, warn() {}, error() {} };
const secret = 'terminal-callback-secret-2026';

const transaction: SimTransaction = {
  transactionId: '80000017',
  paymentId: 'a1b2c3d4-0000-4000-8000-000000000017',
  authType: 'payment',
  shopOrderId: 'SHOP-2017',
  terminal: 'AltaPay Test Terminal',
  transactionStatus: 'preauth',
  currencyNumeric: '208',
  currencyAlpha: 'DKK',
  reservedAmount: '249.00',
  capturedAmount: '0.00',
  refundedAmount: '0.00',
  maskedPan: '457199******4512',
  creditCardToken: 'c9e1f0a7b3d24e6f8a5b1c2d3e4f5a6b7c8d9e0f',
  blacklistToken: '0f4c0b1a6c8d3e2f9a7b5c4d3e2f1a0b9c8d7e6f',
  createdDate: '2026-11-22 10:59:58',
  updatedDate: '2026-11-22 11:00:01',
  paymentNature: 'CreditCard',
  paymentSchemeName: 'Visa',
  cardHolder: { email: 'karen.jensen@example.dk', firstName: 'Karen', lastName: 'Jensen', country: 'DK' },
};
const fields = callbackFields({
  transaction,
  status: 'succeeded',
  result: 'Success',
  requireCapture: true,
  secret,
});
const body = new TextEncoder().encode(encodeFormBody(fields));

function setup(secrets: readonly string[] = [secret]) {
  const store = new MemoryPaymentStore();
  const queue = new MemoryWorkQueue();
  let id = 0;
  const deps = {
    store,
    queue,
    clock: { now: () => new Date('2026-11-22T10:00:01.250Z') },
    log: silent,
    newId: () => `entry-${++id}`,
    callbackSecrets: secrets,
  };
  const worker = {
    ...deps,
    gateway: {
      createPaymentRequest: () => Promise.reject(new Error('not used')),
      transactions: () => Promise.resolve([]),
      captureReservation: () => Promise.reject(new Error('not used')),
      transactionsOfOrder: () => Promise.reject(new Error('not used')),
      refundCapturedReservation: () => Promise.reject(new Error('not used')),
      releaseReservation: () => Promise.reject(new Error('not used')),
      chargeSubscription: () => Promise.reject(new Error('not used')),
    },
    autoCapture: false,
    deliveryBackoffMs: [],
    sleep: async () => {},
  };
  /** Records the callback while the table is down; returns the sealed message the queue got. */
  const queueWhileDown = async (): Promise<SealedCallback> => {
    store.failing = true;
    const recorded = await recordCallback({ ...deps, queueWhenTableFails: true }, 'ok', body);
    store.failing = false;
    expect(recorded.outcome).toBe('queued');
    const [sealed] = queue.callbacks;
    if (sealed === undefined) throw new Error('nothing queued');
    return sealed;
  };
  /** The worker's handling of `message` as the queue delivers it (the SQS body). */
  const work = async (message: object) => runWorkMessage(worker, parseWorkMessage(JSON.stringify(message)));
  return { store, queue, deps, worker, queueWhileDown, work };
}

describe('a callback the table could not take', () => {
  it('waits on the queue as its facts alone: no token, checksum, masked PAN, e-mail or xml', async () => {
    const { queueWhileDown } = setup();

    const sealed = await queueWhileDown();

    const text = JSON.stringify({ kind: 'sealed-callback', ...sealed });
    for (const value of [
      transaction.creditCardToken,
      transaction.blacklistToken,
      transaction.maskedPan,
      'karen.jensen@example.dk',
      fields.checksum,
    ]) {
      expect(value).toBeTruthy();
      expect(text).not.toContain(value);
    }
    expect(text).not.toMatch(/APIResponse|<\?xml|checksum|token|maskedPan|Karen/i);
    expect(JSON.parse(sealed.callback)).toMatchObject({
      callbackType: 'ok',
      shopOrderId: 'SHOP-2017',
      currency: 'DKK',
      result: 'Success',
      receivedAt: '2026-11-22T10:00:01.250Z',
      transactions: [{ transactionId: '80000017', transactionStatus: 'preauth', reservedAmount: '249.00' }],
    });
  });

  it('is recorded by the worker once the table is back, as the live callback would have been', async () => {
    const live = setup();
    await recordCallback({ ...live.deps, queueWhenTableFails: true }, 'ok', body);
    const later = setup();
    const sealed = await later.queueWhileDown();

    await later.work({ kind: 'sealed-callback', ...sealed });

    // The one difference: the masked PAN never went on the queue.
    const { maskedPan, ...liveTransaction } =
      live.store.payments.get('SHOP-2017')?.transactions['80000017'] ?? {};
    expect(maskedPan).toBe(transaction.maskedPan);
    expect(later.store.payments.get('SHOP-2017')).toEqual({
      ...live.store.payments.get('SHOP-2017'),
      transactions: { '80000017': liveTransaction },
    });
    expect(later.queue.sent).toEqual(live.queue.sent);
    expect(later.store.callbackLog).toEqual(live.store.callbackLog);
  });

  it.each([
    ['amount', (c: string) => c.replace('"reservedAmount":"249.00"', '"reservedAmount":"2490.00"')],
    ['status', (c: string) => c.replace('"transactionStatus":"preauth"', '"transactionStatus":"released"')],
    ['order', (c: string) => c.replaceAll('SHOP-2017', 'SHOP-2018')],
  ])('is refused, not recorded, when its %s was changed on the queue', async (_, change) => {
    const { store, queueWhileDown, work } = setup();
    const sealed = await queueWhileDown();
    const changed = change(sealed.callback);
    expect(changed).not.toBe(sealed.callback);

    const refused = work({ kind: 'sealed-callback', callback: changed, mac: sealed.mac });

    await expect(refused).rejects.toMatchObject({
      name: 'MalformedRequestError',
      code: 'queued_callback_mac_mismatch',
      message: expect.stringContaining('changed on the queue'),
    });
    expect(store.payments.size).toBe(0);
  });

  it('is not a work message without its MAC', async () => {
    const { queueWhileDown, work } = setup();
    const { callback } = await queueWhileDown();

    await expect(work({ kind: 'sealed-callback', callback })).rejects.toMatchObject({
      name: 'MalformedRequestError',
      message: expect.stringContaining('mac'),
    });
  });

  it('still opens after the callback secret was rotated, while the old secret is the previous one', async () => {
    const facts = JSON.parse((await setup().queueWhileDown()).callback);
    const sealed = sealCallback(facts, ['old-terminal-secret']);
    const rotated = setup(['new-terminal-secret', 'old-terminal-secret']);
    const retired = setup(['new-terminal-secret']);

    await rotated.work({ kind: 'sealed-callback', ...sealed });

    expect(claimedOf(rotated.store.payments.get('SHOP-2017'))).toBe('reserved');
    await expect(retired.work({ kind: 'sealed-callback', ...sealed })).rejects.toMatchObject({
      code: 'queued_callback_mac_mismatch',
    });
  });

  it('is sealed with a public key when no callback secret is configured, which a worker with a secret refuses', async () => {
    const local = setup([]);
    const sealed = sealCallback(JSON.parse((await setup().queueWhileDown()).callback), []);

    await local.work({ kind: 'sealed-callback', ...sealed });

    expect(claimedOf(local.store.payments.get('SHOP-2017'))).toBe('reserved');
    await expect(setup().work({ kind: 'sealed-callback', ...sealed })).rejects.toMatchObject({
      code: 'queued_callback_mac_mismatch',
    });
  });
});

describe('a callback queued in the old raw format (before callbacks were sealed)', () => {
  const raw = { kind: 'callback', callbackType: 'ok', receivedAt: '2026-11-22T10:00:01.250Z' };

  it('is recorded, its checksum verified as when it arrived', async () => {
    const { store, work } = setup();

    await work({ ...raw, body: Buffer.from(body).toString('base64') });

    expect(store.payments.get('SHOP-2017')).toMatchObject({ updatedAt: '2026-11-22T10:00:01.250Z' });
    expect(claimedOf(store.payments.get('SHOP-2017'))).toBe('reserved');
  });

  it('is refused when its checksum does not match', async () => {
    const { store, work } = setup();
    const forged = encodeFormBody({ ...fields, checksum: '0'.repeat(32) });

    const refused = work({ ...raw, body: Buffer.from(forged).toString('base64') });

    await expect(refused).rejects.toMatchObject({ code: 'checksum_mismatch' });
    expect(store.payments.size).toBe(0);
  });
});
