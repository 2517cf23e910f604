import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/** Debian's Chromium; CHROMIUM_PATH points elsewhere (e.g. a local Chrome on a laptop). */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether the browser tests can run. In CI a missing browser is a failure (.ci/run installs it);
 * on a laptop without Chromium they are skipped with a note rather than failing the whole suite.
 */
export const browserAvailable = existsSync(chromiumPath);
if (!browserAvailable && process.env.CI) {
  throw new Error(`Chromium not found at ${chromiumPath}: .ci/run installs it with apt-get install chromium`);
}

/**
 * A headless Chromium for a test file. The flags keep it off the network entirely: no background
 * services, and every host but loopback resolves to nothing.
 */
export function useBrowser(): { readonly browser: Browser } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost, EXCLUDE 127.0.0.1',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    get browser() {
      if (browser === undefined) throw new Error('useBrowser(): use it inside a test');
      return browser;
    },
  };
}
