import { describe, expect, it } from 'vitest';
import { MalformedRequestError } from '../../shared/errors';
import {
  fingerprintOf,
  parseOperationBody,
  readIdempotencyKey,
} from '../../shared/operations/operation-request';

const bytes = (text: string) => Buffer.from(text, 'utf8');
const messageOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (error instanceof MalformedRequestError) return error.message;
    throw error;
  }
  return 'accepted';
};

describe('the Idempotency-Key header', () => {
  it('is required, and takes 1 to 200 letters, digits, -, _, : or .', () => {
    expect(readIdempotencyKey('7b0e8a52-1001:capture.1_a')).toBe('7b0e8a52-1001:capture.1_a');
    expect(readIdempotencyKey('k'.repeat(200))).toHaveLength(200);
    expect(messageOf(() => readIdempotencyKey(undefined))).toMatch(/^Header Idempotency-Key is required/);
    for (const bad of ['k'.repeat(201), 'two words', 'ключ', 'a/b']) {
      expect(messageOf(() => readIdempotencyKey(bad))).toBe(
        'Header Idempotency-Key must be 1 to 200 letters (A-Z, a-z), digits, -, _, : or ., such as 7b0e8a52-capture-1.',
      );
    }
  });
});

describe('the body of an operation', () => {
  it('may be empty, and names the field it refuses', () => {
    expect(parseOperationBody('capture', bytes(''))).toEqual({});
    expect(parseOperationBody('release', bytes('{}'))).toEqual({});
    expect(messageOf(() => parseOperationBody('capture', bytes('{"amount": "1.005"}')))).toBe(
      'Field amount must look like 100.00: digits, a dot, at most 2 decimals, more than 0.',
    );
    expect(messageOf(() => parseOperationBody('refund', bytes('{"amount": "0.00"}')))).toMatch(/more than 0/);
    expect(messageOf(() => parseOperationBody('release', bytes('{"amount": "10.00"}')))).toBe(
      'Field amount is not accepted; the accepted fields are transactionId.',
    );
    expect(messageOf(() => parseOperationBody('capture', bytes('{"amount": 10}')))).toMatch(
      /^Field amount must look like/,
    );
    expect(messageOf(() => parseOperationBody('capture', bytes('amount=10')))).toBe(
      'The request body is not valid JSON.',
    );
  });

  it("takes the order's order-line shape for what a capture or refund covers: tax, discount, unit, goods type", () => {
    const lines = [
      {
        description: 'Linen towel',
        itemId: 'towel',
        quantity: '1',
        unitPrice: '100.00',
        discount: '10',
        taxAmount: '22.50',
        unitCode: 'pcs',
        goodsType: 'physical',
      },
      { description: 'Coupon', itemId: 'winter', quantity: '1', unitPrice: '-12.50', goodsType: 'discount' },
    ];
    expect(
      parseOperationBody('capture', bytes(JSON.stringify({ amount: '100.00', orderLines: lines }))),
    ).toEqual({ amount: '100.00', orderLines: lines });
    expect(
      messageOf(() =>
        parseOperationBody(
          'refund',
          bytes(JSON.stringify({ orderLines: [{ ...lines[0], goodsType: 'gift' }] })),
        ),
      ),
    ).toMatch(/^Field orderLines\[0\]\.goodsType must be item, physical, digital, /);
  });

  it('has one fingerprint whatever the order of its fields, and another for another operation or amount', () => {
    const body = { amount: '10.00', transactionId: '80000001' };
    const reordered = parseOperationBody(
      'capture',
      bytes('{"transactionId": "80000001", "amount": "10.00"}'),
    );

    expect(fingerprintOf('capture', reordered)).toBe(fingerprintOf('capture', body));
    expect(fingerprintOf('capture', body)).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintOf('refund', body)).not.toBe(fingerprintOf('capture', body));
    expect(fingerprintOf('capture', { ...body, amount: '10.01' })).not.toBe(fingerprintOf('capture', body));
  });
});
