import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { startMerchantEndpoint } from '../../local/merchant-endpoint';
import { signWebhook, WebhookKeyError } from '../../shared/webhooks/signature';
import { verifyPaymentEvent, WebhookSignatureError } from '../../shared/webhooks/verify-event';

/**
 * Merchant events are signed in the Standard Webhooks format by our own signer (node:crypto) and
 * verified with the `standardwebhooks` library: the two implementations agreeing is the interop proof.
 */
const key = `whsec_${randomBytes(32).toString('base64')}`;
const oldKey = `whsec_${randomBytes(24).toString('base64')}`;
const body =
  '{"id":"evt_0b95008ca0705f622e24a442c0dc1421","type":"payment.reserved","data":{"shopOrderId":"1001"}}';
const id = 'evt_0b95008ca0705f622e24a442c0dc1421';
const now = () => Math.floor(Date.now() / 1000);

function signedNow(overrides: { timestamp?: number; key?: string } = {}) {
  return signWebhook({ id, body, timestamp: overrides.timestamp ?? now(), key: overrides.key ?? key });
}

function reasonOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookSignatureError) return error.reason;
    if (error instanceof WebhookKeyError) return 'key';
    throw error;
  }
  return 'accepted';
}

describe('merchant event signatures', () => {
  it('are the three Standard Webhooks headers, verified by the standardwebhooks library itself', () => {
    const headers = signedNow();

    expect(Object.keys(headers).sort()).toEqual(['webhook-id', 'webhook-signature', 'webhook-timestamp']);
    expect(headers['webhook-id']).toBe(id);
    expect(headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(key).verify(body, headers)).toEqual(JSON.parse(body));
    // The bare base64 form of the key (what Secrets Manager generates) is the same key.
    expect(new Webhook(key.slice('whsec_'.length)).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('verify with the key, or with either key during a rotation, from a string or the raw bytes', () => {
    const headers = signedNow();

    expect(verifyPaymentEvent({ body, headers, keys: key })).toEqual(JSON.parse(body));
    expect(verifyPaymentEvent({ body: Buffer.from(body), headers, keys: [oldKey, key] })).toEqual(
      JSON.parse(body),
    );
    const upperCased = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyPaymentEvent({ body, headers: upperCased, keys: key })).toEqual(JSON.parse(body));
  });

  it('refuse another key, a changed byte of the body, the id or the timestamp', () => {
    const headers = signedNow();

    expect(reasonOf(() => verifyPaymentEvent({ body, headers, keys: oldKey }))).toBe('mismatch');
    expect(
      reasonOf(() => verifyPaymentEvent({ body: body.replace('1001', '1002'), headers, keys: key })),
    ).toBe('mismatch');
    expect(reasonOf(() => verifyPaymentEvent({ body: `${body} `, headers, keys: key }))).toBe('mismatch');
    expect(
      reasonOf(() =>
        verifyPaymentEvent({ body, headers: { ...headers, 'webhook-id': 'evt_other' }, keys: key }),
      ),
    ).toBe('mismatch');
    const later = String(Number(headers['webhook-timestamp']) + 1);
    expect(
      reasonOf(() =>
        verifyPaymentEvent({ body, headers: { ...headers, 'webhook-timestamp': later }, keys: key }),
      ),
    ).toBe('mismatch');
  });

  it('refuse a signature older or newer than 5 minutes as a possible replay', () => {
    const old = signedNow({ timestamp: now() - 301 });
    const future = signedNow({ timestamp: now() + 301 });

    expect(reasonOf(() => verifyPaymentEvent({ body, headers: old, keys: key }))).toBe('expired');
    expect(reasonOf(() => verifyPaymentEvent({ body, headers: future, keys: key }))).toBe('expired');
    expect(
      reasonOf(() => verifyPaymentEvent({ body, headers: signedNow({ timestamp: now() - 250 }), keys: key })),
    ).toBe('accepted');
  });

  it.each([
    ['no signature header', { 'webhook-signature': undefined }, 'missing'],
    ['an empty id', { 'webhook-id': '' }, 'missing'],
    ['junk after the base64', { 'webhook-signature': 'SIG;junk' }, 'malformed'],
    ['a timestamp with junk after it', { 'webhook-timestamp': 'TSjunk' }, 'malformed'],
    ['a timestamp sent twice', { 'webhook-timestamp': 'TS, TS' }, 'malformed'],
    ['a timestamp behind a BOM', { 'webhook-timestamp': '\ufeffTS' }, 'malformed'],
    ['the old t=…,v1=… format', { 'webhook-signature': 't=1,v1=abc' }, 'malformed'],
    ['an id with a space', { 'webhook-id': 'evt 1' }, 'malformed'],
  ] as const)('refuse %s before checking the signature', (_name, change, reason) => {
    const headers = signedNow();
    const ts = headers['webhook-timestamp'] ?? '';
    const sig = headers['webhook-signature'] ?? '';
    const changed: Record<string, string | undefined> = { ...headers };
    for (const [name, value] of Object.entries(change)) {
      changed[name] = value?.replaceAll('TS', ts).replace('SIG', sig);
    }

    expect(reasonOf(() => verifyPaymentEvent({ body, headers: changed, keys: key }))).toBe(reason);
  });

  it.each([
    ['empty', ''],
    ['whsec_ alone', 'whsec_'],
    ['15 bytes', `whsec_${randomBytes(15).toString('base64')}`],
    ['not base64', 'local-merchant-signing-key-that-is-long'],
  ])('fail closed on a key that is %s, when signing and when verifying', (_name, badKey) => {
    const headers = signedNow();

    expect(() => signWebhook({ id, body, timestamp: now(), key: badKey })).toThrow(WebhookKeyError);
    expect(reasonOf(() => verifyPaymentEvent({ body, headers, keys: badKey }))).toBe('key');
    expect(reasonOf(() => verifyPaymentEvent({ body, headers, keys: [key, badKey] }))).toBe('key');
    expect(() => verifyPaymentEvent({ body, headers, keys: [] })).toThrow(WebhookKeyError);
  });

  it('keep a local merchant endpoint with an unusable key from starting', async () => {
    await expect(startMerchantEndpoint({ port: 0, signingKey: 'short' })).rejects.toThrow(WebhookKeyError);
  });
});
