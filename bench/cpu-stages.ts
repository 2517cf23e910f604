/**
 * Where a callback's own CPU goes (the profile the bench prints beside its CPU-only budget): each
 * stage of recordCallback and the page timed on its own, in a fresh process, with I/O answered in
 * memory, and the bytes each stage allocates. Run as a child of the bench:
 * `node --import tsx --max-semi-space-size=256 bench/cpu-stages.ts <callbackType> <count>`; the large
 * young generation lets a stage run without a collection, so its heap growth is its allocation.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseApiResponse, parser, validationProblem } from '../shared/altapay/api-response';
import { parseCallbackForm } from '../shared/altapay/callback-form';
import { requireValidChecksum } from '../shared/altapay/checksum';
import { decodeFormBody } from '../shared/altapay/form-body';
import { answerCallback } from '../shared/callbacks/callback-answer';
import { recordCallback } from '../shared/callbacks/record-callback';
import { renderCallbackPage } from '../shared/pages';
import type { CallbackType } from '../shared/payments/payment';
import { MemoryPaymentStore, MemoryWorkQueue } from '../test/support/memory-store';
import { benchSecret, callbackBody, startPayment } from './callback-path';
import { median } from './stats';

export interface StageFigures {
  readonly stage: string;
  readonly medianUs: number;
  readonly allocatedKb: number;
}

interface Stage {
  readonly stage: string;
  readonly run: (i: number) => unknown;
}

/** Median time and allocation of each stage over `count` callbacks (after as many untimed). */
export async function cpuStages(callbackType: CallbackType, count: number): Promise<StageFigures[]> {
  const store = new MemoryPaymentStore();
  const queue = new MemoryWorkQueue();
  const deps = {
    store,
    queue,
    clock: { now: () => new Date() },
    log: { info() {}, warn() {}, error() {} },
    newId: randomUUID,
    callbackSecrets: [benchSecret],
    queueWhenTableFails: true,
  };
  const total = 2 * count;
  const orders = Array.from({ length: total }, (_, i) => `stage-${i}`);
  for (const order of orders) await startPayment(store, order);
  const requested = new Map(store.payments);
  const bodies = orders.map((order) => Buffer.from(callbackBody(callbackType, order)));
  const fields = bodies.map((body) => decodeFormBody(body));
  const xml = fields.map((f) => parseCallbackForm(f).xml);
  const document = (i: number) => xml[i] ?? '';
  const stages: Stage[] = [
    { stage: 'decode the form body', run: (i) => decodeFormBody(bodies[i] ?? Buffer.alloc(0)) },
    {
      stage: 'verify the checksum',
      run: (i) => requireValidChecksum(fields[i] ?? new Map(), [benchSecret]),
    },
    { stage: 'read the form fields (zod)', run: (i) => parseCallbackForm(fields[i] ?? new Map()) },
    { stage: 'xml: fast-xml-parser parse', run: (i) => parser.parse(document(i)) },
    { stage: 'xml: fast-xml-parser validator', run: (i) => validationProblem(document(i)) },
    { stage: 'xml: whole parseApiResponse', run: (i) => parseApiResponse(document(i)) },
  ];
  const times = stages.map(() => [] as number[]);
  const bytes = stages.map(() => [] as number[]);
  const wholeTimes: number[] = [];
  const wholeBytes: number[] = [];
  for (let i = 0; i < total; i++) {
    for (const [s, { run }] of stages.entries()) {
      const heap = process.memoryUsage().heapUsed;
      const started = performance.now();
      run(i);
      const ms = performance.now() - started;
      const grown = process.memoryUsage().heapUsed - heap;
      if (i >= count) {
        times[s]?.push(ms);
        // A collection during the stage shrinks the heap: that sample says nothing about allocation.
        if (grown >= 0) bytes[s]?.push(grown);
      }
    }
    const payment = requested.get(orders[i] ?? '');
    store.payments.clear();
    if (payment) store.payments.set(payment.shopOrderId, payment);
    const heap = process.memoryUsage().heapUsed;
    const started = performance.now();
    const recorded = await recordCallback(deps, callbackType, bodies[i] ?? Buffer.alloc(0));
    const answer = answerCallback(callbackType, recorded, { merchantName: 'Bench shop' });
    if (answer.kind === 'page') renderCallbackPage(answer.page);
    const ms = performance.now() - started;
    const grown = process.memoryUsage().heapUsed - heap;
    if (i >= count) {
      wholeTimes.push(ms);
      if (grown >= 0) wholeBytes.push(grown);
    }
    store.pendingWork.clear();
    store.callbackLog.length = 0;
    queue.sent.length = 0;
  }
  const figure = (stage: string, t: number[], b: number[]): StageFigures => ({
    stage,
    medianUs: median(t) * 1000,
    allocatedKb: b.length === 0 ? Number.NaN : median(b) / 1024,
  });
  return [
    ...stages.map(({ stage }, s) => figure(stage, times[s] ?? [], bytes[s] ?? [])),
    figure('whole callback: use case and page', wholeTimes, wholeBytes),
  ];
}

/** `cpuStages` in a fresh process whose young generation holds a whole callback's garbage. */
export function cpuStagesInFreshProcess(callbackType: CallbackType, count: number): StageFigures[] {
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--max-semi-space-size=256',
      fileURLToPath(import.meta.url),
      callbackType,
      String(count),
    ],
    { encoding: 'utf8', env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' } },
  );
  if (child.status !== 0) throw new Error(`the CPU profile run failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '[]') as StageFigures[];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [callbackType = 'ok', count = '1000'] = process.argv.slice(2);
  console.log(JSON.stringify(await cpuStages(callbackType as CallbackType, Number(count))));
}
