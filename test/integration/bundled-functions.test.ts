/**
 * How the local stack runs the synthesized bundles (LOCAL_FUNCTIONS=bundled): on the Node major the
 * template deploys with, from a copy outside the repository, with the cold start's errors reported
 * as Lambda reports them. Needs a fresh `cdk.out`: `npm run test:bundled` runs it right after
 * `npm run synth`; elsewhere it is skipped when the assembly is missing or stale.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { type LambdaName, lambdas } from '../../functions/routes';
import { loadBundledModule, stopBundledFunctions } from '../../local/bundled/bundled-loader';
import { assemblyStaleness, synthesizedFunction } from '../../local/bundled/cloud-assembly';
import { lambdaNode } from '../../local/bundled/lambda-node';
import { lambdaContext } from '../../local/lambda-runtime';
import { useLocalStack } from '../support/local-stack';

const stale = assemblyStaleness();
const required = process.env.LOCAL_FUNCTIONS === 'bundled';
if (stale !== undefined && !required) console.log(`bundled-functions: skipped (${stale}; run npm run synth)`);

describe.skipIf(stale !== undefined && !required)('the synthesized functions, run locally', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  afterAll(() => stopBundledFunctions());

  it('finds a bundle, a handler and a Node.js runtime for every function of the route table', () => {
    for (const name of Object.keys(lambdas) as LambdaName[]) {
      const fn = synthesizedFunction(name);
      expect(fn.assetDir).toMatch(/cdk\.out\/asset\.[0-9a-f]{64}$/);
      expect(fn.handler).toBe('index.handler');
      expect(fn.runtime).toMatch(/^nodejs\d+\.x$/);
    }
  });

  it("runs them on a Node binary of the deployed runtime's major", () => {
    const { runtime } = synthesizedFunction('payment-status');
    const version = execFileSync(lambdaNode(runtime), ['--version'], { encoding: 'utf8' });
    expect(version).toMatch(new RegExp(`^v${runtime.replace(/^nodejs(\d+)\.x$/, '$1')}\\.`));
  });

  it('refuses a runtime whose major the bundle does not target', () => {
    expect(() => lambdaNode('nodejs99.x')).toThrow(
      /deploy on nodejs99\.x but infra\/bundling\.ts targets node\d+/,
    );
  });

  it('reports a failed cold start as Lambda does: the init error, from the bundle', async () => {
    // No PAYMENTS_TABLE_NAME: the handler's settings refuse to load at module scope.
    vi.stubEnv('PAYMENTS_TABLE_NAME', undefined);
    await expect(loadBundledModule('payment-status')).rejects.toThrow(/PAYMENTS_TABLE_NAME is required/);
  });

  it("answers an invocation with the handler's result, in the function's own process", async () => {
    vi.stubEnv('PAYMENTS_TABLE_NAME', 'payments');
    // Nothing answers here: the route validates the id before it reads the table.
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', 'http://127.0.0.1:9');
    const handler = await loadBundledModule('payment-status');
    const spec = lambdas['payment-status'];
    const result = await handler(
      { httpMethod: 'GET', path: '/payments/%00', pathParameters: { shopOrderId: '\u0000' }, headers: {} },
      lambdaContext(spec, Date.now() + spec.timeoutSeconds * 1000),
    );
    expect(result).toMatchObject({ statusCode: 400 });
  });
});

describe.skipIf(stale !== undefined && !required)('every synthesized function, in the local stack', () => {
  useLocalStack();

  // The checkout and callback specs invoke most functions; this also covers the operations, the
  // sweeper and the reconciler, whose bundles could fail to load (a missing dependency, a JSON or
  // dynamic import) without any of those specs noticing.
  it('loads: module scope runs in its own process with the settings the stack gives it', async () => {
    const names = Object.keys(lambdas) as LambdaName[];
    const loaded = await Promise.allSettled(names.map((name) => loadBundledModule(name)));
    const failures = loaded.flatMap((outcome, i) =>
      outcome.status === 'rejected' ? [`${names[i]}: ${String(outcome.reason)}`] : [],
    );
    expect(failures).toEqual([]);
    expect(loaded).toHaveLength(names.length);
  });
});
