import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

// Registered once, when a test file first imports this module, so a folder made inside a test or at
// collection time alike is removed after the file's last test, whether its tests passed or not.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * A new empty folder in the system temp dir (`<prefix>XXXXXX`), removed with everything in it after
 * the last test of the file that asked for it.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
