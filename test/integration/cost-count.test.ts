import { describe, expect, it } from 'vitest';
import { countOnePayment } from '../../bench/count-requests';

// What `npm run cost` bills per payment comes from this count: one card payment on the local stack,
// the functions' DynamoDB and SQS calls seen by a counting proxy.

describe('counting one card payment on the local stack', () => {
  it('sees its API requests, the functions they invoke, its DynamoDB and SQS calls and its items', async () => {
    const counted = await countOnePayment();
    expect(counted.apiRequests.map((line) => line.split(' -> ')[0]?.replace(/cost-\d+/, '<id>'))).toEqual([
      'POST /payments',
      'POST /callbacks/verify-order',
      'POST /callbacks/ok',
      'GET /payments/<id>',
    ]);
    expect(counted.invocations).toEqual({
      'create-payment': 1,
      'callback-verify-order': 1,
      'callback-ok': 1,
      'payment-status': 1,
      'payment-worker': 1,
    });
    // One work message for the state change; reads and writes by the functions, whatever their number.
    expect(counted.awsRequests['AmazonSQS.SendMessage']).toBe(1);
    expect(counted.awsRequests['DynamoDB_20120810.GetItem']).toBeGreaterThan(0);
    expect(counted.awsRequests['DynamoDB_20120810.PutItem']).toBeGreaterThan(0);
    expect(Object.keys(counted.itemBytes).sort()).toEqual(['payment', 'work']);
    expect(counted.itemBytes.payment).toBeGreaterThan(500);
  }, 60_000);
});
