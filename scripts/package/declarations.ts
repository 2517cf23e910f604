import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** `from '...'`, `import '...'` and `import("...")` in a declaration file: the specifier is group 3. */
const specifierPattern = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"]+)\2/g;

/** Comments, kept as they are: an example in a doc comment (`from 'altapay-serverless'`) is no import. */
const commentPattern = /\/\*[\s\S]*?\*\/|\/\/[^\n]*/g;

/** `text` with `replace` applied to what lies between its comments. */
const outsideComments = (text: string, replace: (code: string) => string): string => {
  let result = '';
  let at = 0;
  for (const comment of text.matchAll(commentPattern)) {
    result += replace(text.slice(at, comment.index)) + comment[0];
    at = comment.index + comment[0].length;
  }
  return result + replace(text.slice(at));
};

const declarationFiles = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.d.ts'))
    .map((name) => join(dir, name));

/**
 * A relative specifier as Node's ESM resolver (and TypeScript's `nodenext`) wants it: `./errors` →
 * `./errors.js`, `../shared/pages` → `../shared/pages/index.js`. Our sources import without extensions
 * (`moduleResolution: bundler`), which a host app on `nodenext` could not resolve.
 */
function withExtension(specifier: string, fromFile: string): string {
  if (!specifier.startsWith('.')) return specifier;
  const base = resolve(dirname(fromFile), specifier);
  if (existsSync(`${base}.d.ts`)) return `${specifier}.js`;
  if (existsSync(join(base, 'index.d.ts'))) return `${specifier}/index.js`;
  throw new Error(`${fromFile}: no declaration for ${specifier}`);
}

/**
 * Writes the `.d.ts` of `entries` (paths relative to `root`) and of every file they import into `outDir`,
 * mirroring the repository's folders, with TypeScript itself (TS 7 emits declarations), and returns the
 * packages they import by file (`aws-cdk-lib/aws-sqs` as written; the caller maps it to a package).
 */
export function emitDeclarations(
  root: string,
  entries: readonly string[],
  outDir: string,
): Map<string, string[]> {
  // A tsconfig of its own that extends the root's, so every compiler option stays in one place; written
  // beside the output, not into the repository.
  const config = join(dirname(outDir), 'tsconfig.declarations.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(root, 'tsconfig.json'),
      compilerOptions: {
        noEmit: false,
        declaration: true,
        emitDeclarationOnly: true,
        rootDir: root,
        outDir,
        // Type packages are looked up from the config's folder, which is not the repository's.
        typeRoots: [join(root, 'node_modules', '@types')],
      },
      files: entries.map((entry) => join(root, entry)),
      include: [],
    }),
  );
  try {
    const tsc = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', config], {
      cwd: root,
      encoding: 'utf8',
    });
    if (tsc.status !== 0) throw new Error(`tsc could not emit declarations:\n${tsc.stdout}${tsc.stderr}`);
  } finally {
    rmSync(config, { force: true });
  }

  const imports = new Map<string, string[]>();
  for (const file of declarationFiles(outDir)) {
    const text = outsideComments(readFileSync(file, 'utf8'), (code) =>
      code.replace(specifierPattern, (_match, before: string, quote: string, specifier: string) => {
        if (!specifier.startsWith('.')) {
          imports.set(specifier, [...(imports.get(specifier) ?? []), relative(outDir, file)]);
        }
        return `${before}${quote}${withExtension(specifier, file)}${quote}`;
      }),
    );
    writeFileSync(file, text);
  }
  return imports;
}
