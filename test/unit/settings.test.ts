import { describe, expect, it } from 'vitest';
import { holdSettings, loadSettings, readSettings } from '../../functions/runtime/settings';

const base = {
  PAYMENTS_TABLE_NAME: 'payments',
  WORK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/work',
};

describe('settings', () => {
  it('reads a minimal environment with safe defaults', () => {
    expect(readSettings(base)).toMatchObject({
      paymentsTableName: 'payments',
      callbackSecrets: [],
      paymentType: 'payment',
      autoCapture: false,
      workMaxAttempts: 5,
      merchantName: 'Our shop',
      reconcileAfterMinutes: 15,
    });
  });

  it('reads RECONCILE_AFTER_MINUTES in minutes, decimals allowed, and refuses what is no such number', () => {
    expect(readSettings({ ...base, RECONCILE_AFTER_MINUTES: '30' }).reconcileAfterMinutes).toBe(30);
    expect(readSettings({ ...base, RECONCILE_AFTER_MINUTES: '0.05' }).reconcileAfterMinutes).toBe(0.05);
    for (const value of ['soon', '-1', '1441', 'Infinity']) {
      expect(() => readSettings({ ...base, RECONCILE_AFTER_MINUTES: value }), value).toThrow(
        new Error(
          'Invalid settings: RECONCILE_AFTER_MINUTES must be a number of minutes from 0 to 1440, such as 15 (0.5 is 30 seconds)',
        ),
      );
    }
  });

  it('names every bad setting at once, and never echoes a value', () => {
    expect(() =>
      readSettings({
        ...base,
        PAYMENTS_TABLE_NAME: '',
        SHOP_RECEIPT_URL: 'javascript:alert(1)',
        AUTO_CAPTURE: 'yes',
      }),
    ).toThrow(/PAYMENTS_TABLE_NAME.*SHOP_RECEIPT_URL.*AUTO_CAPTURE/);
  });

  it('says once what each bad setting must look like', () => {
    expect(() =>
      readSettings({
        ...base,
        WORK_MAX_ATTEMPTS: '0.5',
        SHOP_RECEIPT_URL: 'shop.example/receipt',
        ALTAPAY_PAYMENT_TYPE: 'capture',
      }),
    ).toThrow(
      new Error(
        'Invalid settings: SHOP_RECEIPT_URL must be an http or https URL such as https://shop.example/receipt; ' +
          'ALTAPAY_PAYMENT_TYPE must be payment or paymentAndCapture; ' +
          'WORK_MAX_ATTEMPTS must be a whole number from 1 to 100',
      ),
    );
  });

  it('refuses a previous callback secret without a current one, and a webhook URL without a signing key', () => {
    expect(() => readSettings({ ...base, ALTAPAY_CALLBACK_SECRET_PREVIOUS: 'old' })).toThrow(
      /ALTAPAY_CALLBACK_SECRET is not/,
    );
    expect(() => readSettings({ ...base, MERCHANT_WEBHOOK_URL: 'https://shop.example/hooks' })).toThrow(
      /events must be signed/,
    );
  });

  it('reads the shop key, and the previous one during a rotation, current first', () => {
    const current = 'c'.repeat(32);
    const previous = 'p'.repeat(40);

    expect(readSettings(base).shopOrderKeys).toEqual([]);
    expect(readSettings({ ...base, SHOP_ORDER_KEY: current }).shopOrderKeys).toEqual([current]);
    expect(
      readSettings({ ...base, SHOP_ORDER_KEY: current, SHOP_ORDER_KEY_PREVIOUS: previous }).shopOrderKeys,
    ).toEqual([current, previous]);
  });

  it('refuses a shop key shorter than 32 characters, naming the setting and its shape, never the value', () => {
    const short = 'short-shop-key';

    expect(() => readSettings({ ...base, SHOP_ORDER_KEY: short })).toThrow(
      new Error(
        'Invalid settings: SHOP_ORDER_KEY must be at least 32 characters, e.g. the output of openssl rand -hex 32',
      ),
    );
    expect(() =>
      readSettings({ ...base, SHOP_ORDER_KEY: 'k'.repeat(32), SHOP_ORDER_KEY_PREVIOUS: short }),
    ).toThrow(/^Invalid settings: SHOP_ORDER_KEY_PREVIOUS must be at least 32 characters/);
    expect(() => readSettings({ ...base, SHOP_ORDER_KEY_PREVIOUS: 'k'.repeat(32) })).toThrow(
      /SHOP_ORDER_KEY is not/,
    );
  });

  it('reads the EventBridge bus merchant events also go to: default, a name or an ARN', () => {
    expect(readSettings(base).eventBusName).toBeUndefined();
    for (const bus of ['default', 'shop-payments', 'arn:aws:events:eu-west-1:111122223333:event-bus/shop']) {
      expect(readSettings({ ...base, EVENT_BUS_NAME: bus }).eventBusName).toBe(bus);
    }
    expect(() => readSettings({ ...base, EVENT_BUS_NAME: 'my bus!' })).toThrow(
      'Invalid settings: EVENT_BUS_NAME must be default, a bus name such as payments, or its ARN',
    );
  });

  it('treats an empty variable as unset', () => {
    expect(readSettings({ ...base, ALTAPAY_CALLBACK_SECRET: '' }).callbackSecrets).toEqual([]);
  });

  it('takes secrets from Secrets Manager when their ARNs are configured, over the environment', async () => {
    const secrets: Record<string, string> = {
      'arn:api': JSON.stringify({ username: 'api-user', password: 'api-pass' }),
      'arn:callback': JSON.stringify({ secret: 'new', previousSecret: 'old' }),
      'arn:merchant': JSON.stringify({ signingKey: 'whsec_bWVyY2hhbnQtc2lnbmluZy1rZXktMDAwMQ==' }),
      'arn:shop': JSON.stringify({ key: 'n'.repeat(64), previousKey: 'o'.repeat(64) }),
    };
    const settings = await loadSettings(
      {
        ...base,
        ALTAPAY_CALLBACK_SECRET: 'from-env',
        ALTAPAY_API_SECRET_ARN: 'arn:api',
        ALTAPAY_CALLBACK_SECRET_ARN: 'arn:callback',
        MERCHANT_WEBHOOK_SECRET_ARN: 'arn:merchant',
        SHOP_ORDER_KEY: 'e'.repeat(32),
        SHOP_ORDER_KEY_SECRET_ARN: 'arn:shop',
        MERCHANT_WEBHOOK_URL: 'https://shop.example/hooks',
        ALTAPAY_GATEWAY_URL: 'https://testgateway.altapaysecure.com',
        ALTAPAY_TERMINAL: 'Shop DKK',
      },
      async (arn) => secrets[arn] ?? '',
    );

    expect(settings.callbackSecrets).toEqual(['new', 'old']);
    expect(settings.gateway).toMatchObject({ username: 'api-user', password: 'api-pass' });
    expect(settings.terminals).toEqual([{ name: 'Shop DKK', method: 'card' }]);
    expect(settings.merchantWebhook?.signingKey).toBe('whsec_bWVyY2hhbnQtc2lnbmluZy1rZXktMDAwMQ==');
    expect(settings.shopOrderKeys).toEqual(['n'.repeat(64), 'o'.repeat(64)]);
  });

  it('stops with the secret named, not its content, when a secret is malformed', async () => {
    const load = loadSettings({ ...base, ALTAPAY_API_SECRET_ARN: 'arn:api' }, async () =>
      JSON.stringify({ username: 'u' }),
    );

    await expect(load).rejects.toThrow(
      'Invalid settings: the secret in ALTAPAY_API_SECRET_ARN lacks or mistypes: password',
    );
    await expect(
      loadSettings({ ...base, MERCHANT_WEBHOOK_SECRET_ARN: 'arn:m' }, async () => 'not json'),
    ).rejects.toThrow(/MERCHANT_WEBHOOK_SECRET_ARN cannot be read as JSON/);
  });

  it('never asks Secrets Manager when no ARN is configured (the local stack)', async () => {
    await loadSettings(base, async () => {
      throw new Error('must not be called');
    });
  });

  it('takes the terminal from the API secret too, so the gateway is set up in one place', async () => {
    const settings = await loadSettings({ ...base, ALTAPAY_API_SECRET_ARN: 'arn:api' }, async () =>
      JSON.stringify({ username: 'u', password: 'p', terminal: 'Shop EUR' }),
    );

    expect(settings.terminals).toEqual([{ name: 'Shop EUR', method: 'card' }]);
  });

  it('re-reads rotated secrets after five minutes, and keeps the last good ones when that fails', async () => {
    let secret = 'first';
    let now = 0;
    const errors: unknown[] = [];
    const fetch = async () => {
      if (secret === 'unreadable') throw new Error('AccessDenied');
      return JSON.stringify({ secret });
    };
    const held = await holdSettings({ ...base, ALTAPAY_CALLBACK_SECRET_ARN: 'arn:cb' }, fetch, {
      maxAgeMs: 300_000,
      now: () => now,
      onError: (error) => errors.push(error),
    });

    secret = 'second';
    now = 299_000;
    await held.refresh();
    expect(held.current.callbackSecrets).toEqual(['first']);
    now = 300_000;
    await held.refresh();
    expect(held.current.callbackSecrets).toEqual(['second']);
    secret = 'unreadable';
    now = 600_000;
    await held.refresh();
    expect(held.current.callbackSecrets).toEqual(['second']);
    expect(errors).toHaveLength(1);
  });
});
