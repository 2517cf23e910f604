import { describe, expect, it } from 'vitest';
import { paymentItemSchema, workItemSchema } from '../../adapters/dynamodb/payments-table';
import { lenient } from '../../scripts/payments/lenient';

/** A `payment` item as an earlier version of the code wrote it, with the names it used then. */
const olderItem = {
  shopOrderId: '1001',
  recordKey: 'payment',
  status: 'reserved',
  currency: 'DKK',
  transactions: {
    '80000001': {
      transactionId: '80000001',
      paymentStatus: 'preauth',
      phase: 'reserved',
      currency: 'DKK',
      reservedAmount: '249.00',
      capturedAmount: '0.00',
      refundedAmount: '0.00',
      chargebacks: 0,
      gatewayUpdatedDate: '2026-11-22 10:15:59',
      updatedAt: '2026-11-22T10:16:00.000Z',
    },
  },
  flags: ['unconfirmed-callback'],
  version: 'two',
  createdAt: '2026-11-22T10:15:00.000Z',
  updatedAt: '2026-11-22T10:16:00.000Z',
  callbackLog: [
    {
      shopOrderId: '1001',
      eventId: 'e-1',
      callbackType: 'ok',
      receivedAt: '2026-11-22T10:16:00.000Z',
      outcome: 'changed',
      duplicate: false,
      transactionIds: ['80000001'],
      statusAfter: 'reserved',
    },
  ],
};

describe("the CLI's lenient reading of the stored shapes", () => {
  it('reads an item older code wrote: renamed fields are absent, the rest as stored', () => {
    const read = lenient(paymentItemSchema).parse(olderItem);

    expect(read).toMatchObject({ shopOrderId: '1001', status: 'reserved', flags: ['unconfirmed-callback'] });
    expect(read.version).toBeUndefined();
    expect(read.transactions?.['80000001']).toMatchObject({ phase: 'reserved', reservedAmount: '249.00' });
    expect(read.transactions?.['80000001']?.gatewayStatus).toBeUndefined();
    expect(read.callbackLog?.[0]).toMatchObject({ callbackType: 'ok', outcome: 'changed' });
  });

  it('keeps attributes the schema does not know, so `show --json` prints what is stored', () => {
    const read = lenient(paymentItemSchema).parse(olderItem);

    expect(read.transactions?.['80000001']).toHaveProperty('paymentStatus', 'preauth');
    expect(read.callbackLog?.[0]).toHaveProperty('eventId', 'e-1');
  });

  it('reads any work record, even one missing what the current schema requires', () => {
    const read = lenient(workItemSchema).parse({ workId: '1001#2', state: 'done', deliveries: 'none' });

    expect(read).toEqual({ workId: '1001#2', state: 'done' });
  });

  it('still refuses something that is not an item at all', () => {
    expect(lenient(paymentItemSchema).safeParse('payment').success).toBe(false);
  });
});
