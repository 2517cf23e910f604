/**
 * Vitest global setup: the whole run gets a temp dir of its own (`TMPDIR`, read by Node's
 * `os.tmpdir()` in the test workers, the CDK, Playwright and every child process), and fails if
 * anything is still in it at the end. Its own folder keeps the check exact on a machine where other
 * runs use the system temp dir at the same time, and is removed either way, so a run never leaves
 * anything behind in the system temp dir.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// tsx's compile cache (`tsx-<uid>`), made by the scripts the CLI specs run: a cache the next script
// reuses, not a test's leftover. It goes with the run's folder.
const caches = /^tsx-/;

export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const runDir = mkdtempSync(join(tmpdir(), 'vitest-run-'));
  process.env.TMPDIR = runDir;
  return () => {
    const leftovers = readdirSync(runDir).filter((entry) => !caches.test(entry));
    rmSync(runDir, { recursive: true, force: true });
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    if (leftovers.length > 0) {
      // Vitest only logs an error thrown here and still exits 0; the exit code is what CI reads.
      process.exitCode = 1;
      console.error(
        `\nFAIL  the tests left ${leftovers.length === 1 ? 'an entry' : `${leftovers.length} entries`} in the temp dir (removed now with the run's folder). Make temp folders with tempDir() from test/support/temp-dir.ts, which removes them after each test file; a file that fails while loading runs no afterAll, so its folders show here too:\n${leftovers.map((e) => `  ${e}`).join('\n')}\n`,
      );
    }
  };
}
