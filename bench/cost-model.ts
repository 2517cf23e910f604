/**
 * What the deployment costs: pure arithmetic over prices, the template's resource counts, the design's
 * requests per payment and the bench's measurements (`bench/cost.ts` gathers them). Figures in USD.
 */

/** On-demand list prices of one region on one date (see `PRICES`'s `region` and `date`). */
export interface Prices {
  readonly region: string;
  readonly date: string;
  readonly kmsKeyMonth: number;
  readonly secretMonth: number;
  readonly alarmMonth: number;
  /** A custom metric a month (the first 10,000): what API Gateway's per-method metrics are billed as. */
  readonly customMetricMonth: number;
  readonly dashboardMonth: number;
  readonly webAclMonth: number;
  readonly wafRuleMonth: number;
  readonly wafPerMillionRequests: number;
  readonly restApiPerMillionRequests: number;
  readonly lambdaPerMillionRequests: number;
  /** arm64, the functions' architecture. */
  readonly lambdaPerGbSecond: number;
  readonly dynamodbPerMillionWriteUnits: number;
  readonly dynamodbPerMillionReadUnits: number;
  readonly sqsPerMillionRequests: number;
}

/** us-east-1, on demand, without free tier, as AWS's pricing pages listed them on `date` (not re-checked since: check before quoting). */
export const PRICES: Prices = {
  region: 'us-east-1',
  date: '2025-01',
  kmsKeyMonth: 1,
  secretMonth: 0.4,
  alarmMonth: 0.1,
  customMetricMonth: 0.3,
  dashboardMonth: 3,
  webAclMonth: 5,
  wafRuleMonth: 1,
  wafPerMillionRequests: 0.6,
  restApiPerMillionRequests: 3.5,
  lambdaPerMillionRequests: 0.2,
  lambdaPerGbSecond: 0.0000133334,
  dynamodbPerMillionWriteUnits: 0.625,
  dynamodbPerMillionReadUnits: 0.125,
  sqsPerMillionRequests: 0.4,
};

/** Count, Latency, IntegrationLatency, 4XXError and 5XXError per method (two more only with caching, which is off). */
export const apiMetricsPerMethod = 5;

/** What the synthesized templates hold that is billed by the month. */
export interface FixedResources {
  readonly kmsKeys: number;
  readonly secrets: number;
  readonly alarms: number;
  /** API Gateway methods with detailed (per-method) metrics on: each publishes `apiMetricsPerMethod`. */
  readonly detailedMetricMethods: number;
  readonly dashboards: number;
  readonly webAcls: number;
  readonly wafRules: number;
}

/** One Lambda invocation a payment makes: the function, its configured memory and its billed duration. */
export interface Invocation {
  readonly lambda: string;
  readonly memoryMb: number;
  readonly durationMs: number;
}

/** What one card payment makes end to end. */
export interface PaymentUsage {
  /** REST API requests (each also passes the WAF web ACL when it is on POST /payments). */
  readonly apiRequests: number;
  /** Of those, the ones the web ACL inspects. */
  readonly wafRequests: number;
  readonly invocations: readonly Invocation[];
  /** DynamoDB reads and writes, each of an item of `itemBytes`. */
  readonly dynamodbReads: number;
  readonly dynamodbWrites: number;
  /** Strongly consistent reads cost a whole read unit per 4 KB, eventually consistent half. */
  readonly stronglyConsistentReads: boolean;
  readonly itemBytes: number;
  /** SQS requests: sends, receives and deletes. */
  readonly sqsRequests: number;
}

export interface CostRow {
  readonly item: string;
  readonly usage: string;
  readonly usd: number;
}

export function fixedMonthly(resources: FixedResources, prices: Prices): CostRow[] {
  return [
    {
      item: 'KMS keys',
      usage: `${resources.kmsKeys} × $${prices.kmsKeyMonth}`,
      usd: resources.kmsKeys * prices.kmsKeyMonth,
    },
    {
      item: 'Secrets Manager secrets',
      usage: `${resources.secrets} × $${prices.secretMonth}`,
      usd: resources.secrets * prices.secretMonth,
    },
    {
      item: 'CloudWatch alarms',
      usage: `${resources.alarms} × $${prices.alarmMonth}`,
      usd: resources.alarms * prices.alarmMonth,
    },
    {
      item: 'API Gateway per-method metrics (the callback routes)',
      usage: `${resources.detailedMetricMethods} × ${apiMetricsPerMethod} × $${prices.customMetricMonth}`,
      usd: resources.detailedMetricMethods * apiMetricsPerMethod * prices.customMetricMonth,
    },
    {
      item: 'CloudWatch dashboard',
      usage: `${resources.dashboards} × $${prices.dashboardMonth}`,
      usd: resources.dashboards * prices.dashboardMonth,
    },
    {
      item: 'AWS WAF web ACL and rules',
      usage: `${resources.webAcls} × $${prices.webAclMonth} + ${resources.wafRules} × $${prices.wafRuleMonth}`,
      usd: resources.webAcls * prices.webAclMonth + resources.wafRules * prices.wafRuleMonth,
    },
  ];
}

/** DynamoDB bills a write per started 1 KB and a strongly consistent read per started 4 KB. */
export const writeUnits = (itemBytes: number): number => Math.max(1, Math.ceil(itemBytes / 1024));
export const readUnits = (itemBytes: number, strong: boolean): number =>
  Math.max(1, Math.ceil(itemBytes / 4096)) * (strong ? 1 : 0.5);

/** Lambda bills each invocation's duration rounded up to the millisecond, at its memory. */
export const gbSeconds = (invocation: Invocation): number =>
  (invocation.memoryMb / 1024) * (Math.ceil(invocation.durationMs) / 1000);

export function perThousandPayments(usage: PaymentUsage, prices: Prices): CostRow[] {
  const thousand = 1000;
  const perMillion = (count: number, price: number) => (count * thousand * price) / 1_000_000;
  const gbs = usage.invocations.reduce((sum, invocation) => sum + gbSeconds(invocation), 0);
  const wcu = usage.dynamodbWrites * writeUnits(usage.itemBytes);
  const rcu = usage.dynamodbReads * readUnits(usage.itemBytes, usage.stronglyConsistentReads);
  return [
    {
      item: 'API Gateway (REST) requests',
      usage: `${usage.apiRequests * thousand}`,
      usd: perMillion(usage.apiRequests, prices.restApiPerMillionRequests),
    },
    {
      item: 'AWS WAF requests',
      usage: `${usage.wafRequests * thousand}`,
      usd: perMillion(usage.wafRequests, prices.wafPerMillionRequests),
    },
    {
      item: 'Lambda invocations',
      usage: `${usage.invocations.length * thousand}`,
      usd: perMillion(usage.invocations.length, prices.lambdaPerMillionRequests),
    },
    {
      item: 'Lambda compute (arm64)',
      usage: `${round(gbs * thousand, 1)} GB-s`,
      usd: gbs * thousand * prices.lambdaPerGbSecond,
    },
    {
      item: 'DynamoDB writes (on demand)',
      usage: `${wcu * thousand} write units (${usage.dynamodbWrites} × ${writeUnits(usage.itemBytes)} per payment)`,
      usd: perMillion(wcu, prices.dynamodbPerMillionWriteUnits),
    },
    {
      item: 'DynamoDB reads (on demand)',
      usage: `${rcu * thousand} read units`,
      usd: perMillion(rcu, prices.dynamodbPerMillionReadUnits),
    },
    {
      item: 'SQS requests',
      usage: `${usage.sqsRequests * thousand}`,
      usd: perMillion(usage.sqsRequests, prices.sqsPerMillionRequests),
    },
  ];
}

export const round = (value: number, digits: number): number => Number(value.toFixed(digits));

export const total = (rows: readonly CostRow[]): number => rows.reduce((sum, row) => sum + row.usd, 0);

const dollars = (usd: number): string => `$${usd < 0.01 && usd > 0 ? usd.toFixed(4) : usd.toFixed(2)}`;

/** The README's table: fixed monthly cost, then the cost per 1,000 payments, with what it assumes. */
export function renderCostTable(
  fixed: readonly CostRow[],
  variable: readonly CostRow[],
  notes: readonly string[],
): string {
  const rows = (list: readonly CostRow[]) =>
    list.map((row) => `| ${row.item} | ${row.usage} | ${dollars(row.usd)} |`);
  return [
    '| fixed, per month | how many | USD |',
    '|---|---|---|',
    ...rows(fixed),
    `| **total per month** | | **${dollars(total(fixed))}** |`,
    '',
    '| per 1,000 card payments | how many | USD |',
    '|---|---|---|',
    ...rows(variable),
    `| **total per 1,000 payments** | | **${dollars(total(variable))}** |`,
    '',
    ...notes.map((note) => `- ${note}`),
  ].join('\n');
}

/**
 * An item's size as DynamoDB bills it: attribute names plus values (strings and binaries by their bytes,
 * numbers about one byte per two digits plus one, booleans and nulls one byte, lists and maps 3 bytes
 * plus their elements, 1 byte each). Close enough to round to the right 1 KB unit.
 */
export function dynamodbItemBytes(item: Readonly<Record<string, unknown>>): number {
  const valueBytes = (value: unknown): number => {
    if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
    if (typeof value === 'number')
      return Math.ceil(String(Math.abs(value)).replace(/[.-]/g, '').length / 2) + 1;
    if (typeof value === 'boolean' || value === null || value === undefined) return 1;
    if (value instanceof Uint8Array) return value.byteLength;
    if (value instanceof Set) return [...value].reduce((sum: number, v) => sum + valueBytes(v), 0);
    if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueBytes(v), 0);
    if (typeof value === 'object') {
      return (
        3 +
        Object.entries(value).reduce(
          (sum, [k, v]) => sum + 1 + Buffer.byteLength(k, 'utf8') + valueBytes(v),
          0,
        )
      );
    }
    return 0;
  };
  return Object.entries(item).reduce((sum, [k, v]) => sum + Buffer.byteLength(k, 'utf8') + valueBytes(v), 0);
}
