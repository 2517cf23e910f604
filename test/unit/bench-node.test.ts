import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeNode, findNode, runtimeMajor } from '../../bench/bench-node';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A folder holding an executable `node` that says it is `version`. */
function fakeNode(version: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'bench-node-'));
  folders.push(folder);
  const file = join(folder, 'node');
  writeFileSync(file, `#!/bin/sh\necho ${version}\n`);
  chmodSync(file, 0o755);
  return folder;
}

describe('which Node the bench runs on', () => {
  it("names the functions' runtime, or says a run is only for comparison", () => {
    expect(runtimeMajor).toBe(24);
    expect(describeNode('v24.22.3')).toBe("Node v24.22.3, the functions' runtime");
    expect(describeNode('v20.20.2')).toBe('Node v20.20.2 (for comparison: the functions run on Node 24)');
  });

  it('finds the first Node of the asked major on PATH, passing over other majors and empty entries', () => {
    const node22 = fakeNode('v22.1.0');
    const node20 = fakeNode('v20.19.0');
    const later20 = fakeNode('v20.20.2');
    const path = ['', node22, join(node22, 'missing'), node20, later20].join(delimiter);
    expect(findNode(20, path)).toBe(join(node20, 'node'));
    expect(findNode(18, path)).toBeUndefined();
  });
});
