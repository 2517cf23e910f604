import { afterEach, describe, expect, it, vi } from 'vitest';

/** The settings create-payment needs besides the shop key (nothing is called: the module only loads). */
const environment = {
  PAYMENTS_TABLE_NAME: 'payments',
  AWS_REGION: 'eu-west-1',
  ALTAPAY_GATEWAY_URL: 'https://testgateway.altapaysecure.com',
  ALTAPAY_API_USERNAME: 'shop-api',
  ALTAPAY_API_PASSWORD: 'unused',
  ALTAPAY_TERMINAL: 'Shop DKK',
};

/** Loads create-payment as a cold start does, with `settings` as its environment. */
async function coldStart(settings: Record<string, string>): Promise<unknown> {
  vi.resetModules();
  for (const [name, value] of Object.entries({ ...environment, ...settings })) vi.stubEnv(name, value);
  return import('../../functions/create-payment/index');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('create-payment at start-up', () => {
  it('refuses to start without a shop key, naming the setting and what it must look like', async () => {
    await expect(coldStart({ SHOP_ORDER_KEY: '' })).rejects.toThrow(
      /^Invalid settings: SHOP_ORDER_KEY is required .*at least 32 characters, e\.g\. the output of openssl rand -hex 32$/,
    );
  });

  it('refuses a shop key that is too short, never echoing it', async () => {
    const failure = coldStart({ SHOP_ORDER_KEY: 'short-key' });

    await expect(failure).rejects.toThrow('SHOP_ORDER_KEY must be at least 32 characters');
    await expect(failure).rejects.not.toThrow('short-key');
  });

  it('refuses to start without a terminal, naming both settings', async () => {
    await expect(coldStart({ SHOP_ORDER_KEY: 'k'.repeat(32), ALTAPAY_TERMINAL: '' })).rejects.toThrow(
      /^Invalid settings: ALTAPAY_TERMINALS is required \(or ALTAPAY_TERMINAL for one card terminal\)/,
    );
  });

  it('starts with a key of 32 characters or more', async () => {
    await expect(coldStart({ SHOP_ORDER_KEY: 'k'.repeat(32) })).resolves.toHaveProperty('handler');
  });
});
