import { readFileSync } from 'node:fs';

/** A gateway document of test/fixtures/altapay/status/, exactly as stored. */
export function readStatusFixture(name: string): string {
  return readFileSync(new URL(`../fixtures/altapay/status/${name}`, import.meta.url), 'utf8');
}
