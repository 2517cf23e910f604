import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AltaPayPayments, type AltaPayPaymentsProps } from 'altapay-serverless';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BuiltPackage, buildPackage } from '../../scripts/package/build';
import { cdkJsonContext } from '../infra/support';
import { tempDir } from '../support/temp-dir';

const root = fileURLToPath(new URL('../..', import.meta.url));
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const rootExports: Record<string, string> = rootManifest.exports;

/** What the host app asks of the construct: a shop's settings, a custom domain and its own prefix among them. */
const settings: AltaPayPaymentsProps = {
  environment: 'test',
  altapayTerminal: 'Shop Test Terminal',
  alarmEmail: 'ops@shop.dk',
  customDomain: {
    domainName: 'pay.shop.dk',
    certificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/abc',
    basePath: 'altapay',
  },
  apiGatewayAccountRole: true,
  prefix: 'Shop',
};

/**
 * A merchant's CDK app in plain JavaScript, importing nothing of ours but the package: its own stack with
 * the construct, cdk-nag's packs on the app (every finding fails synth), synthesized by `node` alone.
 */
const hostApp = `import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { AltaPayPayments } from 'altapay-serverless';

const app = new App();
Validations.of(app).addPlugins(
  new AwsSolutionsChecks(app, { verbose: true }),
  new ServerlessChecks(app, { verbose: true }),
);
new AltaPayPayments(new Stack(app, 'Shop'), 'Payments', ${JSON.stringify(settings)});
app.synth();
`;

/** Every subpath of the package imported, with the names each exports. */
const exportsProbe = `const names = {};
${Object.keys(rootExports)
  .map(
    (subpath) =>
      `names[${JSON.stringify(subpath)}] = Object.keys(await import('altapay-serverless${subpath.slice(1)}')).sort();`,
  )
  .join('\n')}
const client = await import('altapay-serverless/client');
const events = await import('altapay-serverless/events');
const orderSignature = await import('altapay-serverless/order-signature');
console.log(JSON.stringify({
  names,
  oneWebhookError: client.WebhookSignatureError === events.WebhookSignatureError,
  oneSignOrder: client.signOrder === orderSignature.signOrder,
  signature: orderSignature.signOrder('{"amount":"1.00"}', 'k'.repeat(32)),
}));
`;

/**
 * A TypeScript host on \`nodenext\` (the strictest resolution a merchant may use): the declarations must
 * resolve and carry real types, so each \`@ts-expect-error\` would be an error of its own if they were \`any\`.
 */
const typedHost = `import { App, Stack } from 'aws-cdk-lib';
import { AltaPayPayments } from 'altapay-serverless';
import { PaymentsClient, PaymentsApiError } from 'altapay-serverless/client';
import { verifyPaymentEvent, WebhookSignatureError } from 'altapay-serverless/events';
import { signOrder } from 'altapay-serverless/order-signature';

const stack = new Stack(new App(), 'Typed');
const payments = new AltaPayPayments(stack, 'Payments', { environment: 'test', altapayTerminal: 'T' });
export const url: string = payments.api.url;
// @ts-expect-error environment is production or test
new AltaPayPayments(stack, 'Staging', { environment: 'staging' });
export const signature: string = signOrder('{}', 'k'.repeat(32));
// @ts-expect-error the order is its JSON text
signOrder({}, 'k');
export const client = new PaymentsClient({ apiUrl: 'https://pay.shop.dk/altapay', signing: { region: 'eu-west-1' } });
// @ts-expect-error apiUrl is a string or a URL
new PaymentsClient({ apiUrl: 42 });
// @ts-expect-error credentials carry a secret key too (@smithy/types, through the client's declarations)
new PaymentsClient({ apiUrl: 'https://pay.shop.dk', signing: { credentials: { accessKeyId: 'AKIA' } } });
export const errors = [PaymentsApiError, WebhookSignatureError, verifyPaymentEvent];
`;

/**
 * An empty host app folder whose node_modules holds the unpacked package and, as symlinks, every other
 * top-level entry of this repository's node_modules (its .bin included, for NodejsFunction's esbuild):
 * the registry is not reachable offline, so the app gets the dependencies this repository installed —
 * the exact versions the package names.
 */
function hostFolder(built: BuiltPackage): string {
  const app = tempDir('host-app-');
  const modules = join(app, 'node_modules');
  mkdirSync(join(modules, 'altapay-serverless'), { recursive: true });
  const installed = realpathSync(join(root, 'node_modules'));
  for (const entry of readdirSync(installed)) {
    if (entry !== 'altapay-serverless') symlinkSync(join(installed, entry), join(modules, entry));
  }
  const untar = spawnSync('tar', [
    '-xzf',
    built.tarball,
    '-C',
    join(modules, 'altapay-serverless'),
    '--strip-components=1',
  ]);
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'shop-infra', private: true, type: 'module' }),
  );
  return app;
}

/** Runs `node <script>` in the host app; `env` added to this process's environment. */
function runNode(app: string, script: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [script], {
    cwd: app,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

/**
 * Asset hashes differ between the two apps although the function code is the same bytes: each bundle's
 * source map lists its sources relative to the bundle (the host's are under node_modules/altapay-serverless),
 * and the hash covers the map. Every 64-hex hash becomes `<hash>`.
 */
const withoutAssetHashes = (template: unknown): unknown =>
  JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}/g, '<hash>'));

/** The function bundles of a cloud assembly, by content (the map excluded: its source paths differ). */
const bundlesIn = (outdir: string): string[] =>
  readdirSync(outdir)
    .filter((name) => name.startsWith('asset.'))
    .map((asset) => readFileSync(join(outdir, asset, 'index.mjs'), 'utf8'))
    .sort();

describe('the packed package (npm run package) in a host CDK app of its own', () => {
  let built: BuiltPackage;
  let app: string;

  beforeAll(async () => {
    built = await buildPackage(root, tempDir('package-build-'));
    app = hostFolder(built);
  }, 60_000);

  it('exports the construct, the client, the order signer and the event check, each with types and ESM', () => {
    expect(built.manifest.name).toBe('altapay-serverless');
    expect(built.manifest.private).toBeUndefined();
    expect(Object.keys(built.manifest.exports)).toEqual(Object.keys(rootExports));
    for (const target of Object.values(built.manifest.exports)) {
      expect(readFileSync(join(built.folder, target.types), 'utf8')).toMatch(/export/);
      expect(readFileSync(join(built.folder, target.import), 'utf8')).toMatch(/export/);
    }
  });

  it('names as dependencies the packages its files import, at the root versions; CDK as peers', () => {
    const pinned = { ...rootManifest.devDependencies, ...rootManifest.dependencies };
    for (const [name, version] of Object.entries(built.manifest.dependencies)) {
      // @smithy/types comes with @smithy/signature-v4; its range is the one that package asks for.
      if (pinned[name] !== undefined) expect(version).toBe(pinned[name]);
    }
    // Every runtime dependency of this repository ships (the functions use them all), and no dev tool but
    // esbuild, which NodejsFunction runs at the host's synth.
    expect(Object.keys(built.manifest.dependencies)).toEqual(
      expect.arrayContaining([...Object.keys(rootManifest.dependencies), 'esbuild']),
    );
    for (const tool of [
      'vitest',
      'tsx',
      'typescript',
      '@biomejs/biome',
      'aws-cdk',
      'dynalite',
      'playwright-core',
    ]) {
      expect(built.manifest.dependencies).not.toHaveProperty(tool);
    }
    expect(built.manifest.peerDependencies).toEqual({
      'aws-cdk-lib': `^${rootManifest.devDependencies['aws-cdk-lib']}`,
      constructs: `^${rootManifest.devDependencies.constructs}`,
    });
  });

  it('loads on Node from the package alone, every subpath exporting what our sources export', async () => {
    writeFileSync(join(app, 'exports.mjs'), exportsProbe);
    const run = runNode(app, 'exports.mjs');
    expect(run.stderr).toBe('');
    const probe = JSON.parse(run.stdout);

    for (const subpath of Object.keys(rootExports)) {
      const ours = await import(/* @vite-ignore */ `altapay-serverless${subpath.slice(1)}`);
      expect(probe.names[subpath], subpath).toEqual(Object.keys(ours).sort());
    }
    expect(probe.names['.']).toContain('AltaPayPayments');
    expect(probe.names['./client']).toEqual(expect.arrayContaining(['PaymentsClient', 'PaymentsApiError']));
    // One class and one function however a back end imports them (the bundles share a chunk).
    expect(probe.oneWebhookError).toBe(true);
    expect(probe.oneSignOrder).toBe(true);
    const { signOrder } = await import('altapay-serverless/order-signature');
    expect(probe.signature).toBe(signOrder('{"amount":"1.00"}', 'k'.repeat(32)));
  });

  it('type-checks a TypeScript host on nodenext against its declarations', () => {
    writeFileSync(join(app, 'typed.ts'), typedHost);
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2023',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
        },
        files: ['typed.ts'],
      }),
    );
    const tsc = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], {
      cwd: app,
      encoding: 'utf8',
    });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 30_000);

  it('synthesizes with zero cdk-nag findings the template our own app makes for the same settings', () => {
    const hostOut = join(app, 'cdk.out');
    writeFileSync(join(app, 'app.mjs'), hostApp);
    // The CDK CLI hands an app its context and output folder this way; the context is our cdk.json's
    // (its feature flags), so both apps are built under the same flags.
    const run = runNode(app, 'app.mjs', {
      CDK_CONTEXT_JSON: JSON.stringify(cdkJsonContext),
      CDK_OUTDIR: hostOut,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toMatch(/AwsSolutions-|Serverless-|\[Warning|\[Error/);

    // Ours: the same stack in this process, the construct from our sources (`altapay-serverless` is this
    // repository's own name here, its package.json exports pointing at infra/index.ts).
    const oursOut = tempDir('ours-cdk.out-');
    const ours = new App({ outdir: oursOut, context: { ...cdkJsonContext } });
    Validations.of(ours).addPlugins(
      new AwsSolutionsChecks(ours, { verbose: true }),
      new ServerlessChecks(ours, { verbose: true }),
    );
    new AltaPayPayments(new Stack(ours, 'Shop'), 'Payments', settings);
    ours.synth();

    const template = (outdir: string) => JSON.parse(readFileSync(join(outdir, 'Shop.template.json'), 'utf8'));
    expect(withoutAssetHashes(template(hostOut))).toEqual(withoutAssetHashes(template(oursOut)));
    // The functions the host deploys are ours byte for byte (esbuild bundled the shipped sources).
    expect(bundlesIn(hostOut)).toEqual(bundlesIn(oursOut));
  }, 90_000);
});
