import { describe, expect, it } from 'vitest';
import { packageDependencies, packageNameOf } from '../../scripts/package/package-imports';

const rootVersions = {
  zod: '4.6.7',
  'aws-cdk-lib': '2.276.0',
  constructs: '10.8.1',
  esbuild: '0.28.2',
  '@types/aws-lambda': '8.10.164',
  '@aws-sdk/client-secrets-manager': '3.1162.0',
};
const noRange = () => undefined;

describe('the package dependencies (scripts/package/package-imports.ts)', () => {
  it('names a package by its import, scoped or not, and nothing for paths and built-ins', () => {
    expect(packageNameOf('zod/mini')).toBe('zod');
    expect(packageNameOf('@aws-sdk/client-sqs/dist-es/x.js')).toBe('@aws-sdk/client-sqs');
    expect(packageNameOf('./errors')).toBeUndefined();
    expect(packageNameOf('node:crypto')).toBeUndefined();
    expect(packageNameOf('crypto')).toBeUndefined();
  });

  it('pins what the shipped files import at the root versions, CDK as peers, esbuild for the synth', () => {
    const imports = new Map([
      ['zod', ['shared/validation.ts']],
      ['aws-cdk-lib', ['infra/index.ts']],
      ['constructs', ['infra/index.ts']],
    ]);
    expect(packageDependencies(imports, new Map(), new Set(), rootVersions, noRange)).toEqual({
      dependencies: { esbuild: '0.28.2', zod: '4.6.7' },
      peerDependencies: { 'aws-cdk-lib': '^2.276.0', constructs: '^10.8.1' },
    });
  });

  it('fails naming the file when a shipped file imports a package the root does not list', () => {
    const imports = new Map([['left-pad', ['shared/pages/escape.ts']]]);
    expect(() => packageDependencies(imports, new Map(), new Set(), rootVersions, noRange)).toThrow(
      'left-pad (imported by shared/pages/escape.ts)',
    );
  });

  it('lists a bundled package the root lists (a peer of a dependency), and leaves transitive ones to npm', () => {
    const bundled = new Set(['@aws-sdk/client-secrets-manager', '@smithy/core']);
    const { dependencies } = packageDependencies(new Map(), new Map(), bundled, rootVersions, noRange);
    expect(dependencies).toEqual({ '@aws-sdk/client-secrets-manager': '3.1162.0', esbuild: '0.28.2' });
  });

  it("takes a declaration's import of aws-lambda as @types/aws-lambda, and a types-only package from a dependency's range", () => {
    const types = new Map([
      ['aws-lambda', ['types/functions/x.d.ts']],
      ['@smithy/types', ['types/client/payments-client.d.ts']],
    ]);
    const range = (name: string, from: readonly string[]) =>
      name === '@smithy/types' && from.includes('esbuild') ? '^4.19.0' : undefined;
    const { dependencies } = packageDependencies(new Map(), types, new Set(), rootVersions, range);
    expect(dependencies).toEqual({
      '@smithy/types': '^4.19.0',
      '@types/aws-lambda': '8.10.164',
      esbuild: '0.28.2',
    });
    expect(() => packageDependencies(new Map(), types, new Set(), rootVersions, noRange)).toThrow(
      '@smithy/types (imported by types/client/payments-client.d.ts)',
    );
  });
});
