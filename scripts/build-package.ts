/**
 * `npm run package`: builds the package a merchant installs (`altapay-serverless`) into dist/package/
 * and packs it into dist/ (scripts/package/build.ts says what it holds). Prints the tarball's path.
 */
import { fileURLToPath } from 'node:url';
import { buildPackage } from './package/build';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = await buildPackage(root, `${root}dist`);
console.error(
  `${built.manifest.name}@${built.manifest.version}: ${(built.size / 1024).toFixed(0)} KB packed`,
);
console.log(built.tarball);
