import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultProvider, LambdaCredentialsMissing } from '../../functions/runtime/lambda-credentials';

const names = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;
let saved: Record<string, string | undefined> = {};

beforeEach(() => {
  saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  for (const name of names) delete process.env[name];
});
afterEach(() => {
  for (const name of names) {
    const value = saved[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe("the bundles' credential provider (Lambda's environment credentials)", () => {
  it('answers with the key, the secret and the session token Lambda puts in the environment', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret-example';
    process.env.AWS_SESSION_TOKEN = 'session-example';

    const credentials = await defaultProvider()();

    expect(credentials).toMatchObject({
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 'secret-example',
      sessionToken: 'session-example',
    });
  });

  it('answers without a session token when none is set (long-lived keys)', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret-example';

    const credentials = await defaultProvider()();

    expect(credentials.sessionToken).toBeUndefined();
  });

  it('reads the environment once per client, and again when the client forces a refresh', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'first';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret-example';
    const provider = defaultProvider();
    await provider();
    process.env.AWS_ACCESS_KEY_ID = 'second';

    expect((await provider()).accessKeyId).toBe('first');
    expect((await provider({ forceRefresh: true })).accessKeyId).toBe('second');
  });

  it('fails naming the missing variables and why only the environment is read', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAEXAMPLE';

    const answer = defaultProvider()();

    await expect(answer).rejects.toBeInstanceOf(LambdaCredentialsMissing);
    await expect(answer).rejects.toThrow(/^AWS_SECRET_ACCESS_KEY not set: .*environment only/);
  });

  it('names both variables when neither is set', async () => {
    await expect(defaultProvider()()).rejects.toThrow(/^AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set/);
  });
});
