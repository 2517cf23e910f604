import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { lambdas } from '../../functions/routes';
import { lambdaBundling } from '../../infra/bundling';
import { emitDeclarations } from './declarations';
import { packageDependencies, packageNameOf } from './package-imports';

/** One subpath of the package (`.`, `./client`): its TypeScript source and its bundle's name in `dist/`. */
export interface PublicEntry {
  readonly subpath: string;
  /** Relative to the repository root, e.g. `client/index.ts`. */
  readonly source: string;
  readonly bundle: string;
}

/**
 * What a merchant imports, from the root package.json's `exports` (subpath → TypeScript source): the
 * repository imports itself by the same names (the example host app does), so the list is written once.
 */
export const publicEntries = (exports: Readonly<Record<string, string>>): PublicEntry[] =>
  Object.entries(exports).map(([subpath, source]) => ({
    subpath,
    source: source.replace(/^\.\//, ''),
    bundle: subpath === '.' ? 'index' : subpath.replace(/^\.\//, ''),
  }));

/**
 * The folders whose files may ship. The functions ship as TypeScript sources (NodejsFunction bundles each
 * entry at the host's synth, as it does for our app); the construct and the client ship bundled, with
 * whatever they import from these folders inside.
 */
const shippedFolders: ReadonlySet<string> = new Set(['infra', 'client', 'functions', 'shared', 'adapters']);

export interface BuiltPackage {
  /** The folder `npm pack` packed (`<outDir>/package`). */
  readonly folder: string;
  readonly tarball: string;
  /** The tarball's size in bytes. */
  readonly size: number;
  readonly manifest: PackageManifest;
}

export interface PackageManifest {
  readonly name: string;
  readonly version: string;
  readonly exports: Readonly<Record<string, { readonly types: string; readonly import: string }>>;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly peerDependencies: Readonly<Record<string, string>>;
  readonly [field: string]: unknown;
}

interface RootManifest {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly type: string;
  readonly license: string;
  readonly engines: { readonly node: string };
  readonly exports: Readonly<Record<string, string>>;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly devDependencies: Readonly<Record<string, string>>;
}

/** The folder that installed a bundled file: `../node_modules/@smithy/core/dist/x.js` → `@smithy/core`. */
const installedPackageOf = (input: string): string | undefined => {
  const at = input.lastIndexOf('node_modules/');
  return at === -1 ? undefined : packageNameOf(input.slice(at + 'node_modules/'.length));
};

/** Our own files among a bundle's inputs (the rest came from node_modules). */
const ownInputs = (metafile: Metafile): string[] =>
  Object.keys(metafile.inputs).filter((input) => installedPackageOf(input) === undefined);

/** The packages our own files import (as written, `zod/mini` → `zod`), by the files importing each. */
function importedPackages(metafile: Metafile, into: Map<string, string[]>): void {
  for (const input of ownInputs(metafile)) {
    for (const { path, original, external } of metafile.inputs[input]?.imports ?? []) {
      // An import left external keeps its specifier as `path`; a bundled one has it as `original`.
      const specifier = external ? path : original;
      const name = specifier === undefined ? undefined : packageNameOf(specifier);
      if (name !== undefined) into.set(name, [...new Set([...(into.get(name) ?? []), input])]);
    }
  }
}

/** Fails when a bundle took in a file from outside the shipped folders (local/, test/, bench/, scripts/). */
function checkShippedFolders(metafile: Metafile): string[] {
  const inputs = ownInputs(metafile);
  const outside = inputs.filter((input) => !shippedFolders.has(input.split('/')[0] ?? ''));
  if (outside.length > 0) {
    throw new Error(
      `Shipped code imports files outside ${[...shippedFolders].join(', ')}: ${outside.join(', ')}`,
    );
  }
  return inputs;
}

/** The range the first of `dependencies` (installed under `root`) that depends on `name` asks for. */
function rangeFromDependencies(
  root: string,
  name: string,
  dependencies: readonly string[],
): string | undefined {
  for (const dependency of dependencies) {
    const manifest: { dependencies?: Record<string, string> } = JSON.parse(
      readFileSync(join(root, 'node_modules', dependency, 'package.json'), 'utf8'),
    );
    const range = manifest.dependencies?.[name];
    if (range !== undefined) return range;
  }
  return undefined;
}

/** `>=20.19` → `node20.19`: the public bundles run on every Node the package says it supports. */
const nodeTarget = (engines: string): string => {
  const match = /^>=\s*(\d+(?:\.\d+)*)$/.exec(engines);
  if (match === null) throw new Error(`engines.node must read >=<version>, not ${engines}`);
  return `node${match[1]}`;
};

/**
 * Builds the package a merchant installs into `<outDir>/package` and packs it into `<outDir>`:
 * ESM bundles of the public entries (packages left as imports), their declarations, the TypeScript
 * sources of every Lambda entry and what it imports, and a package.json whose dependencies are the
 * packages those files import.
 */
export async function buildPackage(root: string, outDir: string): Promise<BuiltPackage> {
  const rootManifest: RootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const folder = join(outDir, 'package');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const entries = publicEntries(rootManifest.exports);
  const imported = new Map<string, string[]>();

  const bundled = await build({
    entryPoints: Object.fromEntries(entries.map((entry) => [entry.bundle, join(root, entry.source)])),
    absWorkingDir: root,
    outdir: join(folder, 'dist'),
    bundle: true,
    // Shared code in one chunk, so a class exported by two entries (WebhookSignatureError) is one class
    // for `instanceof`. Chunks sit beside the entries: the construct finds the function sources from
    // its own file (`new URL('..', import.meta.url)`), whichever of them holds it.
    splitting: true,
    chunkNames: '[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: nodeTarget(rootManifest.engines.node),
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
  });
  checkShippedFolders(bundled.metafile);
  importedPackages(bundled.metafile, imported);

  // The Lambda entries bundled as NodejsFunction will bundle them at the host's synth (infra/bundling.ts:
  // packages inside, the alias applied), nothing written: which of our files that takes (they ship as
  // sources), which packages they import, and which packages end up inside (a peer of a dependency, like
  // Secrets Manager's client under Powertools' parameters, or the alias target's provider).
  const functions = await build({
    entryPoints: Object.values(lambdas).map((spec) => join(root, spec.entry)),
    absWorkingDir: root,
    outdir: join(outDir, 'functions-unwritten'),
    write: false,
    bundle: true,
    format: lambdaBundling.format,
    platform: 'node',
    target: lambdaBundling.target,
    mainFields: [...lambdaBundling.mainFields],
    external: [...lambdaBundling.externalModules],
    alias: { ...lambdaBundling.alias },
    metafile: true,
    logLevel: 'silent',
  });
  for (const source of checkShippedFolders(functions.metafile)) {
    mkdirSync(dirname(join(folder, source)), { recursive: true });
    copyFileSync(join(root, source), join(folder, source));
  }
  importedPackages(functions.metafile, imported);
  const bundledPackages = new Set(
    Object.keys(functions.metafile.inputs).flatMap((input) => installedPackageOf(input) ?? []),
  );

  const typesDir = join(folder, 'types');
  const typeImports = emitDeclarations(
    root,
    entries.map((entry) => entry.source),
    typesDir,
  );
  const typeImported = new Map<string, string[]>();
  for (const [specifier, files] of typeImports) {
    const name = packageNameOf(specifier);
    if (name !== undefined) {
      const by = files.map((file) => `types/${file}`);
      typeImported.set(name, [...new Set([...(typeImported.get(name) ?? []), ...by])]);
    }
  }

  const manifest: PackageManifest = {
    name: rootManifest.name,
    version: rootManifest.version,
    description: 'AltaPay payments for AWS as a CDK construct, with the typed client for the shop back end',
    type: rootManifest.type,
    license: rootManifest.license,
    engines: rootManifest.engines,
    exports: Object.fromEntries(
      entries.map((entry) => [
        entry.subpath,
        {
          types: `./${relative(folder, join(typesDir, entry.source.replace(/\.ts$/, '.d.ts')))}`,
          import: `./dist/${entry.bundle}.js`,
        },
      ]),
    ),
    ...packageDependencies(
      imported,
      typeImported,
      bundledPackages,
      { ...rootManifest.devDependencies, ...rootManifest.dependencies },
      (name, dependencies) => rangeFromDependencies(root, name, dependencies),
    ),
  };
  writeFileSync(join(folder, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  copyFileSync(join(root, 'LICENSE'), join(folder, 'LICENSE'));

  const pack = spawnSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', outDir], {
    cwd: folder,
    encoding: 'utf8',
  });
  if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.stdout}${pack.stderr}`);
  const [packed] = JSON.parse(pack.stdout) as [{ filename: string; size: number }];
  return { folder, tarball: join(outDir, packed.filename), size: packed.size, manifest };
}
