/**
 * Which memory size a callback function should have, from the bench's CPU figures: the way AWS Lambda
 * Power Tuning chooses (the cheapest size whose slow invocations stay well inside the deadline), but
 * computed instead of measured on AWS, since this machine is not a Lambda. Pure arithmetic.
 *
 * Lambda gives a function CPU in proportion to its memory, a whole vCPU at 1,769 MB; Node runs our code
 * on one thread, so more than that buys nothing. CPU that takes t ms on one core here takes about
 * t × 1,769 / memory ms on Lambda below that size (assuming a Graviton core does per millisecond what
 * this machine's core does: close for this kind of code, not measured). Waiting on DynamoDB and SQS
 * costs wall time at any size.
 */
import type { Prices } from './cost-model';

/** The sizes compared (arm64). */
export const memorySizesMb = [256, 512, 1024, 1769] as const;

/** The memory at which a function gets one whole vCPU. */
export const fullVcpuMemoryMb = 1769;

/** The gateway gives callback_notification 5 s; the other callbacks get more (28 s). */
export const gatewayDeadlineMs = 5_000;

/**
 * "Well inside" the deadline: a cold invocation at p99 within a fifth of it, so a slow AWS call or a
 * retry by the SDK still fits.
 */
export const wellInsideMs = gatewayDeadlineMs / 5;

/**
 * What a callback waits for on AWS, which the local emulators cannot tell: a consistent GetItem and an
 * UpdateItem in the function's region take single-digit milliseconds, an SQS SendMessage about 10 ms;
 * p99 taken as three times the median. Assumptions, not measurements: say so wherever they are used.
 */
export const ASSUMED_AWS_WAIT = {
  medianMs: 5 + 5 + 10,
  p99Ms: 3 * (5 + 5 + 10),
  /** A cold start also reads the settings secret from Secrets Manager once. */
  coldStartMs: 30,
} as const;

export interface SizingInput {
  /** The function's CPU per callback on this machine (mean, and p99 of single callbacks), ms. */
  readonly cpuMeanMs: number;
  readonly cpuP99Ms: number;
  /** Importing the function's bundle in a fresh process on this machine, ms (CPU-bound). */
  readonly importMs: number;
}

export interface SizingRow {
  readonly memoryMb: number;
  /** The share of a vCPU Lambda gives this size. */
  readonly vcpu: number;
  /** Expected billed duration of a warm callback at the mean, and a warm callback at p99, ms. */
  readonly durationMs: number;
  readonly p99Ms: number;
  /** A cold invocation at p99: the import and the secret read, then a p99 callback. */
  readonly coldP99Ms: number;
  /** Requests plus compute for 1,000 warm callbacks, USD. */
  readonly usdPerThousand: number;
  /** Whether a cold p99 invocation stays within `wellInsideMs`. */
  readonly wellInside: boolean;
}

const slowdown = (memoryMb: number): number => Math.max(1, fullVcpuMemoryMb / memoryMb);

export function sizingRow(input: SizingInput, memoryMb: number, prices: Prices): SizingRow {
  const factor = slowdown(memoryMb);
  const durationMs = input.cpuMeanMs * factor + ASSUMED_AWS_WAIT.medianMs;
  const p99Ms = input.cpuP99Ms * factor + ASSUMED_AWS_WAIT.p99Ms;
  const coldP99Ms = input.importMs * factor + ASSUMED_AWS_WAIT.coldStartMs + p99Ms;
  // Lambda bills each invocation's duration rounded up to the millisecond.
  const gbSeconds = (memoryMb / 1024) * (Math.ceil(durationMs) / 1000);
  const usdPerThousand =
    1000 * (prices.lambdaPerMillionRequests / 1_000_000 + gbSeconds * prices.lambdaPerGbSecond);
  return {
    memoryMb,
    vcpu: Math.min(1, memoryMb / fullVcpuMemoryMb),
    durationMs,
    p99Ms,
    coldP99Ms,
    usdPerThousand,
    wellInside: coldP99Ms <= wellInsideMs,
  };
}

/** Every size's row, and the cheapest size that stays well inside the deadline (undefined: none does). */
export function sizeMemory(
  input: SizingInput,
  prices: Prices,
): { rows: SizingRow[]; chosen: SizingRow | undefined } {
  const rows = memorySizesMb.map((memoryMb) => sizingRow(input, memoryMb, prices));
  const chosen = rows
    .filter((row) => row.wellInside)
    .reduce<SizingRow | undefined>(
      (best, row) => (best === undefined || row.usdPerThousand < best.usdPerThousand ? row : best),
      undefined,
    );
  return { rows, chosen };
}
