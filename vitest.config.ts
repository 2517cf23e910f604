import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The run's own temp dir, checked empty at the end: tests leave nothing behind.
    globalSetup: ['test/support/temp-dir-guard.ts'],
    // Integration tests start in-process emulators; CDK tests synthesise stacks.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      // Handlers log through Powertools; tests that need log lines capture them explicitly.
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      // Node 24's module compile cache would be written to the system temp folder by the scripts the
      // tests start (and vitest's own run): a run leaves nothing there.
      NODE_DISABLE_COMPILE_CACHE: '1',
    },
  },
});
