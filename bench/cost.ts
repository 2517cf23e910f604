/**
 * `npm run cost`: what the deployment costs, from the synthesized templates (`npm run synth` first:
 * cdk.out), the functions' configured memory, the bench's measurements (bench/results.json) and the
 * design's requests per payment. Prints the table; `-- --write` also puts it into the README between
 * the `cost` markers. Changes no file without `--write`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LambdaName, lambdas } from '../functions/routes';
import {
  type FixedResources,
  fixedMonthly,
  type Invocation,
  type PaymentUsage,
  PRICES,
  perThousandPayments,
  renderCostTable,
} from './cost-model';
import { readme, replaceMarked, resultsFile } from './report';

const assemblyDir = 'cdk.out';

/** Counts the billed-by-the-month resources in every template of the cloud assembly. */
function fixedResources(): FixedResources {
  if (!existsSync(assemblyDir)) throw new Error(`${assemblyDir} is missing: run npm run synth first`);
  const resources = readdirSync(assemblyDir)
    .filter((file) => file.endsWith('.template.json'))
    .flatMap((file) =>
      Object.values(
        (
          JSON.parse(readFileSync(join(assemblyDir, file), 'utf8')) as {
            Resources: Record<string, { Type: string; Properties?: { Rules?: unknown[] } }>;
          }
        ).Resources,
      ),
    );
  const count = (type: string) => resources.filter((r) => r.Type === type).length;
  return {
    kmsKeys: count('AWS::KMS::Key'),
    secrets: count('AWS::SecretsManager::Secret'),
    alarms: count('AWS::CloudWatch::Alarm'),
    dashboards: count('AWS::CloudWatch::Dashboard'),
    webAcls: count('AWS::WAFv2::WebACL'),
    wafRules: resources
      .filter((r) => r.Type === 'AWS::WAFv2::WebACL')
      .reduce((sum, r) => sum + (r.Properties?.Rules?.length ?? 0), 0),
  };
}

/**
 * AltaPay's answer time is not measurable here (the bench runs against the local simulator): the
 * functions that wait for the gateway are billed for its round trip, assumed to be this.
 */
const ASSUMED_GATEWAY_ROUND_TRIP_MS = 400;

/** Used when bench/results.json predates the item-size measurement (`npm run bench -- --write` adds it). */
const ASSUMED_PAYMENT_ITEM_BYTES = 3000;

interface BenchResults {
  readonly ranAt: string;
  readonly callbackPath: readonly { callbackType: string; handlerMedianMs: number }[];
  readonly load: { paymentItemBytes?: number };
}

/**
 * One card payment end to end, counted from the design: the shop's POST /payments (create-payment), the
 * customer's callback_ok, one work message for the worker (confirm with the gateway, sign and send the
 * merchant event), one GET /payments/{shopOrderId} by the shop. Every API request passes the web ACL.
 */
function paymentUsage(results: BenchResults): { usage: PaymentUsage; notes: string[] } {
  const callbackMs = results.callbackPath.find((p) => p.callbackType === 'ok')?.handlerMedianMs;
  if (callbackMs === undefined) throw new Error(`${resultsFile} has no callbackPath entry for ok`);
  const itemBytes = results.load.paymentItemBytes ?? ASSUMED_PAYMENT_ITEM_BYTES;
  const invocation = (lambda: LambdaName, durationMs: number): Invocation => ({
    lambda,
    memoryMb: lambdas[lambda].memoryMb,
    durationMs,
  });
  const usage: PaymentUsage = {
    apiRequests: 3,
    wafRequests: 3,
    invocations: [
      invocation('create-payment', callbackMs + ASSUMED_GATEWAY_ROUND_TRIP_MS),
      invocation('callback-ok', callbackMs),
      invocation('payment-worker', callbackMs + ASSUMED_GATEWAY_ROUND_TRIP_MS),
      invocation('payment-status', callbackMs),
    ],
    // create-payment 1, the callback 1, the worker 2 (payment, work record), the status route 1.
    dynamodbReads: 5,
    // create-payment 2, the callback 1, clearing the outbox 1, the worker 2 (work record, payment).
    dynamodbWrites: 6,
    stronglyConsistentReads: true,
    itemBytes,
    // The callback's send; the event source mapping's receive and delete.
    sqsRequests: 3,
  };
  const notes = [
    `Prices: ${PRICES.region}, on demand, no free tier, as listed on ${PRICES.date}; Lambda on arm64 at each function's configured memory.`,
    `Durations: a callback's measured median, ${callbackMs.toFixed(1)} ms (bench run of ${results.ranAt.slice(0, 10)}, against the local emulators); create-payment and the worker add an assumed ${ASSUMED_GATEWAY_ROUND_TRIP_MS} ms for AltaPay's answer.`,
    results.load.paymentItemBytes === undefined
      ? `Item size: assumed ${ASSUMED_PAYMENT_ITEM_BYTES} bytes (this bench run did not measure it; npm run bench -- --write does).`
      : `Item size: the measured median payment item, ${results.load.paymentItemBytes} bytes.`,
    'Requests per payment counted from the design (create-payment, callback_ok, one work message, one status read); not counted in a local run yet.',
    "Not included: CloudWatch Logs ingestion and storage, X-Ray traces, DynamoDB storage and backups, the schedules (sweeper every minute, reconciler every 5 minutes) and the work queue's idle polling, data transfer.",
  ];
  return { usage, notes };
}

const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as BenchResults;
const { usage, notes } = paymentUsage(results);
const table = renderCostTable(
  fixedMonthly(fixedResources(), PRICES),
  perThousandPayments(usage, PRICES),
  notes,
);
console.log(table);
if (process.argv.includes('--write')) {
  if (!replaceMarked(readme, 'cost', table))
    throw new Error(`${readme} has no <!-- cost:start --> / <!-- cost:end --> markers`);
  console.log(`\nWritten to ${readme}`);
}
