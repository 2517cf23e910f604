import { isBuiltin } from 'node:module';

/** `@aws-sdk/client-sqs/dist-types/x` → `@aws-sdk/client-sqs`, `zod/mini` → `zod`; a relative path → undefined. */
export function packageNameOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) return undefined;
  const [first, second] = specifier.split('/');
  return first?.startsWith('@') ? `${first}/${second}` : first;
}

/** Where a package the shipped code imports goes in the package's package.json. */
export interface PackageDependencies {
  readonly dependencies: Readonly<Record<string, string>>;
  readonly peerDependencies: Readonly<Record<string, string>>;
}

/**
 * The host's CDK app and ours must share one copy of these (a construct from another copy of
 * `constructs` is not a construct), so the host brings them; any CDK 2 at least as new as ours.
 */
const peers: ReadonlySet<string> = new Set(['aws-cdk-lib', 'constructs']);

/**
 * NodejsFunction runs esbuild at the host's synth to bundle each function's TypeScript entry, so the
 * package needs esbuild although no shipped file imports it.
 */
const neededAtSynth: readonly string[] = ['esbuild'];

/**
 * The package's dependencies, from the packages its shipped files import, at the versions the root
 * package.json pins (`rootVersions`: its dependencies and devDependencies); a declaration's import of a
 * `@types/` package counts as that package. A package only the declarations import and the root does not
 * list (`@smithy/types`, the client's credential types) is listed with the range of the dependency that
 * brings it (`rangeFromDependencies`), so a TypeScript host resolves it wherever npm puts it. Throws,
 * naming the files, for any other package the root does not list: the package would install without it.
 * Packages bundled into a function without a shipped file importing them (`bundled`) are listed when the
 * root lists them (a dependency's peer, the alias target's import), left to npm otherwise (transitive).
 */
export function packageDependencies(
  runtimeImports: ReadonlyMap<string, readonly string[]>,
  typeImports: ReadonlyMap<string, readonly string[]>,
  bundled: ReadonlySet<string>,
  rootVersions: Readonly<Record<string, string>>,
  rangeFromDependencies: (name: string, dependencies: readonly string[]) => string | undefined,
): PackageDependencies {
  const dependencies: Record<string, string> = {};
  const peerDependencies: Record<string, string> = {};
  const typesOnly: string[] = [];
  const unlisted: string[] = [];
  const importers = (name: string) => [...(runtimeImports.get(name) ?? []), ...(typeImports.get(name) ?? [])];
  const listedBundled = [...bundled].filter((name) => rootVersions[name] !== undefined);
  const names = [
    ...new Set([...runtimeImports.keys(), ...typeImports.keys(), ...listedBundled, ...neededAtSynth]),
  ].sort();
  for (const name of names) {
    const listedAs = [name, `@types/${name}`].find((candidate) => rootVersions[candidate] !== undefined);
    const version = listedAs === undefined ? undefined : rootVersions[listedAs];
    if (listedAs !== undefined && version !== undefined) {
      if (peers.has(listedAs)) peerDependencies[listedAs] = `^${version}`;
      else dependencies[listedAs] = version;
    } else if (!runtimeImports.has(name) && !neededAtSynth.includes(name)) {
      typesOnly.push(name);
    } else {
      unlisted.push(`${name} (imported by ${importers(name).join(', ')})`);
    }
  }
  for (const name of typesOnly) {
    const range = rangeFromDependencies(name, Object.keys(dependencies));
    if (range === undefined) unlisted.push(`${name} (imported by ${importers(name).join(', ')})`);
    else dependencies[name] = range;
  }
  if (unlisted.length > 0) {
    throw new Error(
      `Shipped files import packages the root package.json does not list: ${unlisted.join('; ')}`,
    );
  }
  return {
    dependencies: Object.fromEntries(Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b))),
    peerDependencies,
  };
}
