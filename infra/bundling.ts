/**
 * How every function is bundled: the CDK app (payments-function.ts) and the cold-start benchmark
 * (bench/cold-start.ts) both read this, so the benchmark measures exactly what ships.
 */
export const lambdaBundling = {
  format: 'esm',
  minify: true,
  sourceMap: true,
  // Stack traces need line mappings only; embedded sources would triple the map (2.7 MB vs 0.9 MB).
  sourcesContent: false,
  target: 'node24',
  // Prefer packages' ESM builds: smaller bundles and no CommonJS interop wrappers.
  mainFields: ['module', 'main'],
  // Bundled CommonJS dependencies still call require() (for node: built-ins); ESM has none.
  banner:
    "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  // Bundle everything, the AWS SDK included: the SDK version the tests ran against is the one that
  // ships, instead of whichever version the Lambda runtime happens to carry this month.
  externalModules: [] as string[],
  /**
   * Imports swapped for lighter ones, as esbuild's `alias` (targets relative to the repository root:
   * esbuild resolves an alias from its working directory, which is the root for the CDK app and the
   * bench). On Lambda the credentials are always in the environment, so the SDK's default chain
   * (SSO, web identity, ini files, login, process, instance metadata: ~100 KB with the nested clients
   * it carries) becomes the environment provider alone.
   */
  alias: {
    '@aws-sdk/credential-provider-node': './functions/runtime/lambda-credentials.ts',
  },
} as const;

/** `lambdaBundling.alias` as NodejsFunction's `esbuildArgs` (it has no alias option of its own). */
export const aliasEsbuildArgs = (): Record<string, string> =>
  Object.fromEntries(Object.entries(lambdaBundling.alias).map(([from, to]) => [`--alias:${from}`, to]));
