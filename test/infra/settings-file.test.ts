import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ALTAPAY_GATEWAY_URL } from '../../infra/deployment-settings';
import { addPaymentsStacks, contextKeysRead } from '../../infra/payments-app';
import {
  applySettingsFile,
  checkSettingsKnown,
  DEFAULT_SETTINGS_FILE,
  describeSettings,
  readSettingsFile,
} from '../../infra/settings-file';
import { tempDir } from '../support/temp-dir';
import { synthesize, testApp } from './support';

// The merchant's settings live in a committed file (deploy-settings.json) that infra/app.ts puts under the
// CLI's context; `-c` still wins for a one-off. A production deploy needs its gateway named.

const settingsFile = (settings: unknown): string => {
  const file = join(tempDir('settings-'), 'deploy-settings.json');
  writeFileSync(file, JSON.stringify(settings));
  return file;
};

/** The create-payment function's ALTAPAY_GATEWAY_URL in the app built from `context`. */
const gatewayOf = (context: Record<string, unknown>): unknown => {
  const { apiTemplate, api, environmentOf } = synthesize(context);
  return environmentOf(apiTemplate, api, 'create-payment').ALTAPAY_GATEWAY_URL;
};

describe('the deployment settings file', () => {
  it('puts its settings under the command line: a -c value wins, the others come from the file', () => {
    const file = settingsFile({ $comment: 'a note', autoCapture: true, shopUrl: 'https://shop.example/' });
    const app = testApp({ settingsFile: file, shopUrl: 'https://other.example/' });
    const applied = applySettingsFile(app);
    expect(app.node.tryGetContext('autoCapture')).toBe(true);
    expect(app.node.tryGetContext('shopUrl')).toBe('https://other.example/');
    expect(applied.fromFile).toEqual({ autoCapture: true, shopUrl: 'https://shop.example/' });
    addPaymentsStacks(app);
    expect(describeSettings(applied, contextKeysRead(app))).toBe(
      `Deployment settings from ${file}: autoCapture, shopUrl\n` +
        'Overridden by -c: environment="test", shopUrl="https://other.example/" (file: "https://shop.example/")',
    );
  });

  it('fails on a setting the app does not read, naming it', () => {
    const file = settingsFile({ autoCaptur: true });
    const app = testApp({ settingsFile: file });
    const applied = applySettingsFile(app);
    addPaymentsStacks(app);
    expect(() => checkSettingsKnown(applied, contextKeysRead(app))).toThrow(
      /sets autoCaptur, which the app does not read; it knows .*autoCapture/,
    );
  });

  it('knows a setting that has no effect with another (checkoutRateLimit with waf off)', () => {
    const app = testApp({ settingsFile: settingsFile({ waf: false, checkoutRateLimit: 300 }) });
    const applied = applySettingsFile(app);
    addPaymentsStacks(app);
    expect(() => checkSettingsKnown(applied, contextKeysRead(app))).not.toThrow();
  });

  it.each([
    ['[1, 2]', 'must hold one JSON object'],
    ['{"autoCapture": tru}', 'is not JSON'],
  ])('refuses a file holding %s', (text, message) => {
    const file = join(tempDir('settings-'), 'deploy-settings.json');
    writeFileSync(file, text);
    expect(() => readSettingsFile(file)).toThrow(message);
  });

  it('names a missing file and how to name another', () => {
    expect(() => readSettingsFile(join(tempDir('settings-'), 'missing.json'))).toThrow(
      /missing\.json cannot be read.*-c settingsFile=<file>/,
    );
  });

  it('checks the committed file by the same rules as -c: it synthesizes, every setting known', () => {
    const app = testApp({ settingsFile: DEFAULT_SETTINGS_FILE, environment: undefined });
    const applied = applySettingsFile(app);
    addPaymentsStacks(app);
    expect(() => checkSettingsKnown(applied, contextKeysRead(app))).not.toThrow();
  });

  it('refuses a bad value from the file as it refuses it from -c', () => {
    const app = testApp({ settingsFile: settingsFile({ reconcileAfterMinutes: 0 }) });
    applySettingsFile(app);
    expect(() => addPaymentsStacks(app)).toThrow('reconcileAfterMinutes must be a whole number');
  });
});

describe("AltaPay's test gateway", () => {
  it('is refused for production unless a gateway is named, saying what to set', () => {
    expect(() => addPaymentsStacks(testApp({ environment: 'production' }))).toThrow(
      /altapayGatewayUrl is not set and environment is production: set "altapayGatewayUrl" .*or set "environment": "test"/,
    );
  });

  it('is refused when the environment is not said, which means production', () => {
    expect(() => addPaymentsStacks(testApp({ environment: undefined }))).toThrow('environment is production');
  });

  it('is the gateway of a test environment; production takes the one it names', () => {
    expect(gatewayOf({ environment: 'test' })).toBe(DEFAULT_ALTAPAY_GATEWAY_URL);
    expect(
      gatewayOf({ environment: 'production', altapayGatewayUrl: 'https://shop.altapaysecure.com' }),
    ).toBe('https://shop.altapaysecure.com');
  });

  it('refuses an environment other than production or test', () => {
    expect(() => addPaymentsStacks(testApp({ environment: 'prod' }))).toThrow(
      'environment must be production or test, not "prod"',
    );
  });
});
