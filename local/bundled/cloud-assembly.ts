/**
 * The functions exactly as `cdk synth` wrote them: for each Lambda of the route table, its bundle
 * folder in `cdk.out/` (the template's `Code` asset), its handler, runtime and the environment the
 * template gives it. Found through the cloud assembly's manifest, so nothing here guesses paths.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LambdaName, lambdas } from '../../functions/routes';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Where `npm run synth` writes the cloud assembly. */
export const assemblyDir = resolve(repoRoot, 'cdk.out');

/** What the bundle's cold start and environment are made of, as synthesized. */
export interface SynthesizedFunction {
  readonly name: LambdaName;
  /** The bundle: `cdk.out/asset.<hash>`. */
  readonly assetDir: string;
  /** `index.handler`: file and export, as Lambda reads it. */
  readonly handler: string;
  /** `nodejs24.x`. */
  readonly runtime: string;
  /** The template's literal variables (NODE_OPTIONS, ...); references to other resources are left out. */
  readonly environment: Readonly<Record<string, string>>;
}

/** `cdk.out` is missing, stale or does not hold a function of the route table. */
export class AssemblyUnusable extends Error {
  override name = 'AssemblyUnusable';
}

/** What the bundles are built from: a change here after the last synth makes them stale. */
// deploy-settings.json: the settings file main's CDK app reads (absent on older branches: then ignored).
const sources = [
  'functions',
  'shared',
  'adapters',
  'infra',
  'package-lock.json',
  'cdk.json',
  'deploy-settings.json',
];

function newestChange(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce(
    (newest, entry) => Math.max(newest, newestChange(join(path, entry))),
    stat.mtimeMs,
  );
}

/** Throws AssemblyUnusable, saying to run `npm run synth`, unless `cdk.out` is there and up to date. */
export function requireFreshAssembly(): void {
  const stale = assemblyStaleness();
  if (stale !== undefined) throw new AssemblyUnusable(`${stale}: run \`npm run synth\` first`);
}

/** Why `cdk.out` cannot stand for the current sources, or undefined when it can. */
export function assemblyStaleness(): string | undefined {
  const manifest = statSync(join(assemblyDir, 'manifest.json'), { throwIfNoEntry: false });
  if (manifest === undefined) return `${assemblyDir} has no cloud assembly`;
  const changed = sources.find((source) => newestChange(resolve(repoRoot, source)) > manifest.mtimeMs);
  return changed === undefined ? undefined : `${changed} changed after the last synth`;
}

interface TemplateResource {
  readonly Type?: string;
  readonly Metadata?: Record<string, unknown>;
  readonly Properties?: {
    readonly Description?: unknown;
    readonly Handler?: unknown;
    readonly Runtime?: unknown;
    readonly Environment?: { readonly Variables?: Record<string, unknown> };
  };
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Every stack template the manifest lists. */
function templates(): { file: string; resources: Record<string, TemplateResource> }[] {
  const manifest = readJson(join(assemblyDir, 'manifest.json')) as {
    artifacts?: Record<string, { type?: string; properties?: { templateFile?: string } }>;
  };
  return Object.values(manifest.artifacts ?? {})
    .filter((artifact) => artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile)
    .map((artifact) => {
      const file = join(assemblyDir, artifact.properties?.templateFile as string);
      const template = readJson(file) as { Resources?: Record<string, TemplateResource> };
      return { file, resources: template.Resources ?? {} };
    });
}

/**
 * The synthesized function for `name`, found by its description (the route table's, which the CDK
 * app copies into the template). Throws AssemblyUnusable when `cdk.out` is missing or stale.
 */
export function synthesizedFunction(name: LambdaName): SynthesizedFunction {
  requireFreshAssembly();
  const { description } = lambdas[name];
  for (const { file, resources } of templates()) {
    for (const resource of Object.values(resources)) {
      const props = resource.Properties;
      if (resource.Type !== 'AWS::Lambda::Function' || props?.Description !== description) continue;
      const asset = resource.Metadata?.['aws:asset:path'];
      if (
        typeof asset !== 'string' ||
        typeof props.Handler !== 'string' ||
        typeof props.Runtime !== 'string'
      ) {
        throw new AssemblyUnusable(`${file}: the function of ${name} has no asset path, handler or runtime`);
      }
      const environment = Object.fromEntries(
        Object.entries(props.Environment?.Variables ?? {}).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string',
        ),
      );
      return {
        name,
        assetDir: join(assemblyDir, asset),
        handler: props.Handler,
        runtime: props.Runtime,
        environment,
      };
    }
  }
  throw new AssemblyUnusable(`no template in ${assemblyDir} has the function ${name}: run \`npm run synth\``);
}
