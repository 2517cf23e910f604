import { describe, expect, it } from 'vitest';
import {
  dynamodbItemBytes,
  fixedMonthly,
  gbSeconds,
  type Prices,
  perThousandPayments,
  readUnits,
  renderCostTable,
  total,
  writeUnits,
} from '../../bench/cost-model';

// The cost table's arithmetic (bench/cost.ts feeds it the templates, the bench's figures and the
// design's counts): fixed inputs, figures worked out by hand.

const prices: Prices = {
  region: 'test-region',
  date: '2000-01',
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
  lambdaPerGbSecond: 0.00001,
  dynamodbPerMillionWriteUnits: 1,
  dynamodbPerMillionReadUnits: 0.25,
  sqsPerMillionRequests: 0.4,
};

describe('the cost table', () => {
  it('fixed: each resource count times its monthly price', () => {
    const rows = fixedMonthly(
      {
        kmsKeys: 1,
        secrets: 4,
        alarms: 30,
        detailedMetricMethods: 5,
        dashboards: 1,
        webAcls: 1,
        wafRules: 2,
      },
      prices,
    );
    expect(rows.map((row) => Number(row.usd.toFixed(6)))).toEqual([1, 1.6, 3, 7.5, 3, 7]);
    expect(total(rows)).toBeCloseTo(23.1, 10);
  });

  it('bills DynamoDB per started 1 KB written and 4 KB read, Lambda per started millisecond', () => {
    expect([writeUnits(100), writeUnits(1024), writeUnits(1025), writeUnits(3000)]).toEqual([1, 1, 2, 3]);
    expect([readUnits(3000, true), readUnits(5000, true), readUnits(5000, false)]).toEqual([1, 2, 1]);
    expect(gbSeconds({ lambda: 'x', memoryMb: 512, durationMs: 99.2 })).toBe(0.05);
  });

  it('per 1,000 payments: counts times prices', () => {
    const rows = perThousandPayments(
      {
        apiRequests: 3,
        wafRequests: 3,
        invocations: [
          { lambda: 'a', memoryMb: 1024, durationMs: 100 },
          { lambda: 'b', memoryMb: 512, durationMs: 200 },
        ],
        dynamodbReads: 4,
        dynamodbWrites: 5,
        stronglyConsistentReads: true,
        itemBytes: 1500,
        sqsRequests: 3,
      },
      prices,
    );
    expect(Object.fromEntries(rows.map((row) => [row.item, [row.usage, row.usd]]))).toEqual({
      'API Gateway (REST) requests': ['3000', 0.0105],
      'AWS WAF requests': ['3000', 0.0018],
      'Lambda invocations': ['2000', 0.0004],
      // (1 GB × 0.1 s + 0.5 GB × 0.2 s) × 1000 = 200 GB-s
      'Lambda compute (arm64)': ['200 GB-s', 0.002],
      // 1,500 bytes: 2 write units each
      'DynamoDB writes (on demand)': ['10000 write units (5 × 2 per payment)', 0.01],
      'DynamoDB reads (on demand)': ['4000 read units', 0.001],
      'SQS requests': ['3000', 0.0012],
    });
  });

  it('sizes an item as DynamoDB does: names plus values', () => {
    // "id" 2 + "abc" 3; "n" 1 + 12345 → 3 digits-pairs + 1 = 4; "ok" 2 + 1; "m" 1 + 3 + (1 + "k" 1 + "v" 1)
    expect(dynamodbItemBytes({ id: 'abc', n: 12345, ok: true, m: { k: 'v' } })).toBe(5 + 5 + 3 + 7);
  });

  it('renders both tables with totals and the notes', () => {
    const table = renderCostTable(
      [{ item: 'KMS keys', usage: '1 × $1', usd: 1 }],
      [{ item: 'SQS', usage: '3', usd: 0.0012 }],
      ['Prices: x.'],
    );
    expect(table).toBe(
      [
        '| fixed, per month | how many | USD |',
        '|---|---|---|',
        '| KMS keys | 1 × $1 | $1.00 |',
        '| **total per month** | | **$1.00** |',
        '',
        '| per 1,000 card payments | how many | USD |',
        '|---|---|---|',
        '| SQS | 3 | $0.0012 |',
        '| **total per 1,000 payments** | | **$0.0012** |',
        '',
        '- Prices: x.',
      ].join('\n'),
    );
  });
});
