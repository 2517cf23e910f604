import { describe, expect, it } from 'vitest';
import { PRICES } from '../../bench/cost-model';
import { ASSUMED_AWS_WAIT, sizeMemory, sizingRow, wellInsideMs } from '../../bench/memory-sizing';

describe('memory size of a callback function, from the bench CPU figures', () => {
  const measured = { cpuMeanMs: 3, cpuP99Ms: 6, importMs: 120 };

  it('stretches CPU time by how much less than a whole vCPU a size gets, and adds the AWS calls', () => {
    const at512 = sizingRow(measured, 512, PRICES);
    expect(at512.vcpu).toBeCloseTo(512 / 1769, 6);
    expect(at512.durationMs).toBeCloseTo(3 * (1769 / 512) + ASSUMED_AWS_WAIT.medianMs, 6);
    expect(at512.p99Ms).toBeCloseTo(6 * (1769 / 512) + ASSUMED_AWS_WAIT.p99Ms, 6);
    expect(at512.coldP99Ms).toBeCloseTo(120 * (1769 / 512) + ASSUMED_AWS_WAIT.coldStartMs + at512.p99Ms, 6);
    // Above a whole vCPU a single Node thread gets nothing more.
    expect(sizingRow(measured, 1769, PRICES).durationMs).toBeCloseTo(3 + ASSUMED_AWS_WAIT.medianMs, 6);
  });

  it('bills requests plus GB-seconds of the duration rounded up to the millisecond', () => {
    const row = sizingRow(measured, 1024, PRICES);
    const billedSeconds = Math.ceil(row.durationMs) / 1000;
    expect(row.usdPerThousand).toBeCloseTo(
      1000 * (PRICES.lambdaPerMillionRequests / 1e6 + 1 * billedSeconds * PRICES.lambdaPerGbSecond),
      12,
    );
  });

  it('chooses the cheapest size whose cold p99 stays well inside the gateway deadline', () => {
    const { rows, chosen } = sizeMemory(measured, PRICES);
    expect(rows.map((row) => row.memoryMb)).toEqual([256, 512, 1024, 1769]);
    const cheapest = [...rows].sort((a, b) => a.usdPerThousand - b.usdPerThousand)[0];
    expect(chosen?.memoryMb).toBe(cheapest?.memoryMb);
    expect(chosen?.wellInside).toBe(true);
  });

  it('passes over a cheaper size that is too slow, and chooses none when no size is quick enough', () => {
    // An import this slow takes 256 MB's cold start past a fifth of 5 s.
    const heavy = { cpuMeanMs: 3, cpuP99Ms: 6, importMs: 200 };
    const { rows, chosen } = sizeMemory(heavy, PRICES);
    expect(rows.find((row) => row.memoryMb === 256)?.coldP99Ms).toBeGreaterThan(wellInsideMs);
    expect(chosen?.memoryMb).toBe(512);
    expect(sizeMemory({ ...heavy, importMs: 5_000 }, PRICES).chosen).toBeUndefined();
  });
});
