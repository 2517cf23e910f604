/**
 * `npm run cost`: what the deployment costs, from the synthesized templates (`npm run synth` first:
 * cdk.out), the functions' configured memory, the bench's measured callback duration
 * (bench/results.json), and the requests and item sizes of one card payment counted on the local stack
 * (bench/count-requests.ts). Prints the table; `-- --write` also puts it into the README between
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
import { type CountedPayment, countOnePayment } from './count-requests';
import { ASSUMED_AWS_WAIT, type SizingRow } from './memory-sizing';
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
            Resources: Record<
              string,
              {
                Type: string;
                Properties?: { Rules?: unknown[]; MethodSettings?: { MetricsEnabled?: boolean }[] };
              }
            >;
          }
        ).Resources,
      ),
    );
  const count = (type: string) => resources.filter((r) => r.Type === type).length;
  return {
    kmsKeys: count('AWS::KMS::Key'),
    secrets: count('AWS::SecretsManager::Secret'),
    alarms: count('AWS::CloudWatch::Alarm'),
    detailedMetricMethods: resources
      .filter((r) => r.Type === 'AWS::ApiGateway::Stage')
      .flatMap((r) => r.Properties?.MethodSettings ?? [])
      .filter((setting) => setting.MetricsEnabled === true).length,
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

interface BenchResults {
  readonly ranAt: string;
  /** bench/memory-sizing.ts's rows: a callback's expected duration on Lambda at each memory size. */
  readonly sizing?: { readonly rows: readonly Pick<SizingRow, 'memoryMb' | 'durationMs'>[] };
}

/** The Lambda service's receive and delete of each work message (they bypass the counting proxy). */
const SQS_EVENT_SOURCE_REQUESTS_PER_MESSAGE = 2;

const sum = (counts: Readonly<Record<string, number>>, operations: readonly string[]): number =>
  operations.reduce((total, operation) => total + (counts[operation] ?? 0), 0);

/** One card payment as counted on the local stack, billed at the bench's measured callback duration. */
function paymentUsage(
  results: BenchResults,
  counted: CountedPayment,
): { usage: PaymentUsage; notes: string[] } {
  const rows = results.sizing?.rows ?? [];
  const callbackMsAt = (memoryMb: number): number => {
    const row = rows.find((r) => r.memoryMb === memoryMb);
    if (row === undefined)
      throw new Error(
        `${resultsFile} has no expected duration at ${memoryMb} MB: run npm run bench -- --write`,
      );
    return row.durationMs;
  };
  const waitsForGateway: ReadonlySet<string> = new Set(['create-payment', 'payment-worker']);
  const invocations = Object.entries(counted.invocations).flatMap(([lambda, count]): Invocation[] =>
    Array.from({ length: count }, () => ({
      lambda,
      memoryMb: lambdas[lambda as LambdaName].memoryMb,
      durationMs:
        callbackMsAt(lambdas[lambda as LambdaName].memoryMb) +
        (waitsForGateway.has(lambda) ? ASSUMED_GATEWAY_ROUND_TRIP_MS : 0),
    })),
  );
  const itemBytes = Math.max(...Object.values(counted.itemBytes));
  const aws = counted.awsRequests;
  const workMessages = aws['AmazonSQS.SendMessage'] ?? 0;
  const usage: PaymentUsage = {
    apiRequests: counted.apiRequests.length,
    // The web ACL sits on the whole stage: it inspects every request.
    wafRequests: counted.apiRequests.length,
    invocations,
    dynamodbReads: sum(aws, [
      'DynamoDB_20120810.GetItem',
      'DynamoDB_20120810.Query',
      'DynamoDB_20120810.BatchGetItem',
    ]),
    dynamodbWrites: sum(aws, [
      'DynamoDB_20120810.PutItem',
      'DynamoDB_20120810.UpdateItem',
      'DynamoDB_20120810.DeleteItem',
    ]),
    stronglyConsistentReads: true,
    itemBytes,
    sqsRequests: workMessages * (1 + SQS_EVENT_SOURCE_REQUESTS_PER_MESSAGE),
  };
  const routes = counted.apiRequests.map((line) =>
    line.split(' -> ')[0]?.replace(/\/payments\/[^/ ]+/, '/payments/{shopOrderId}'),
  );
  const notes = [
    `Prices: ${PRICES.region}, on demand, no free tier, as listed in ${PRICES.date} (check AWS's pricing pages before quoting); Lambda on arm64 at each function's configured memory.`,
    `Counted on the local stack, one card payment end to end: ${routes.join(', ')}; ${Object.entries(aws)
      .map(([operation, count]) => `${count} × ${operation.split('.')[1]}`)
      .join(', ')}; the work queue's receive and delete added per message.`,
    `Durations: a callback's expected duration on Lambda at each function's memory (${rows.map((r) => `${r.memoryMb} MB ${r.durationMs.toFixed(1)} ms`).join(', ')}), from the bench run of ${results.ranAt.slice(0, 10)}: its measured CPU stretched by the vCPU share of that size, plus an assumed ${ASSUMED_AWS_WAIT.medianMs} ms waiting on DynamoDB and SQS (docs/performance.md); create-payment and the worker add an assumed ${ASSUMED_GATEWAY_ROUND_TRIP_MS} ms for AltaPay's answer.`,
    `Item size: every read and write billed at the largest item the payment left (${Object.entries(
      counted.itemBytes,
    )
      .map(([kind, bytes]) => `${kind} ${bytes} bytes`)
      .join(', ')}).`,
    "Not included: the functions' own custom metrics (Powertools EMF: each metric name with each set of dimension values it is published with is one custom metric, $0.30 a month), CloudWatch Logs ingestion and storage, X-Ray traces, DynamoDB storage and backups, the schedules (sweeper every minute, reconciler every 5 minutes) and the work queue's idle polling, data transfer.",
  ];
  return { usage, notes };
}

const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as BenchResults;
/**
 * The local functions run in this process and log to its standard output: held back during the count,
 * so the output is the table alone (and shown if the count fails).
 */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  const held: string[] = [];
  process.stdout.write = ((chunk: string | Uint8Array) => {
    held.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    return await work();
  } catch (error) {
    process.stderr.write(held.join(''));
    throw error;
  } finally {
    process.stdout.write = write;
  }
}

const { usage, notes } = paymentUsage(results, await quietly(countOnePayment));
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
