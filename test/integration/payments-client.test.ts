import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordKeys } from '../../adapters/dynamodb/payments-table';
import { PaymentsApiError, PaymentsClient } from '../../client/index';
import { useLocalStack } from '../support/local-stack';
import { expiresIn } from '../support/signed-order';

/**
 * Issue 20's second "Done when" line: the merchant's typed client drives the whole local stack (API
 * with the real handlers, dynalite, local SQS, the worker, the AltaPay simulator) end to end: create,
 * pay, status, a partial capture, a refund, a release of another payment. Each answer is checked
 * against what the table holds and what the simulated gateway was asked.
 */
const stack = useLocalStack();

/** The local stack has no IAM (its operation routes are open), so nothing is SigV4-signed. */
let client: PaymentsClient;
beforeAll(() => {
  client = new PaymentsClient({ apiUrl: stack.apiUrl, shopOrderKey: stack.shopOrderKey, signing: false });
});

/** The payment's item and its operation records, read from the table itself. */
async function stored(order: string) {
  const items = await stack.orderItems(order);
  return {
    payment: items.find((item) => item.recordKey === recordKeys.payment),
    operation: (key: string) => items.find((item) => item.recordKey === recordKeys.operation(key)),
  };
}

/** Creates the order's payment with the client and pays it on the simulated payment page. */
async function paidWithClient(order: string, amount: string) {
  const created = await client.createPayment({
    shopOrderId: order,
    amount,
    currency: 'DKK',
    expiresAt: expiresIn(),
  });
  await stack.simulator.pay(created.paymentRequestId, 'success');
  await stack.merchant.waitFor((events) => events.some((e) => e.shopOrderId === order));
  await stack.workSettled();
  return created;
}

const simulatorCalls = (order: string, method: string) =>
  stack.simulator.operations(order).filter((o) => o.method === method);

describe('the PaymentsClient on the local stack', () => {
  it('creates a payment from a signed order; the same order again is the same live request', async () => {
    const order = { shopOrderId: 'client-create', amount: '75.00', currency: 'DKK', expiresAt: expiresIn() };

    const created = await client.createPayment(order);
    const again = await client.createPayment(order);

    expect(created).toEqual({
      outcome: 'created',
      shopOrderId: 'client-create',
      paymentRequestId: expect.any(String),
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//),
    });
    expect(again).toEqual({ ...created, outcome: 'existing' });
    const { payment } = await stored('client-create');
    expect(payment).toMatchObject({
      status: 'created',
      request: { paymentRequestId: created.paymentRequestId, amount: '75.00', currency: 'DKK' },
    });
  });

  it('status, a partial capture (once per key), a refund: each answer typed and as stored', async () => {
    const order = 'client-flow';
    await paidWithClient(order, '249.00');

    const reserved = await client.getPayment(order);
    expect(reserved.status).toBe('reserved');
    expect(reserved.expected).toEqual({ amount: '249.00', currency: 'DKK', terminal: expect.any(String) });
    const [transaction] = reserved.transactions;
    expect(transaction).toMatchObject({ reservedAmount: '249.00', capturedAmount: '0.00', confirmed: true });
    expect((await stored(order)).payment?.status).toBe('reserved');

    const captureKey = randomUUID();
    const captured = await client.capture(order, { amount: '100.00', idempotencyKey: captureKey });
    const replay = await client.capture(order, { amount: '100.00', idempotencyKey: captureKey });

    expect(captured.replayed).toBe(false);
    expect(captured.operation).toMatchObject({
      kind: 'capture',
      idempotencyKey: captureKey,
      transactionId: transaction?.transactionId,
      amount: '100.00',
      state: 'done',
      requestedBy: 'local',
    });
    expect(captured.payment).toMatchObject({
      shopOrderId: order,
      status: 'captured',
      reservedAmount: '249.00',
      capturedAmount: '100.00',
      refundedAmount: '0.00',
    });
    expect(replay).toEqual({ ...captured, replayed: true });
    expect(simulatorCalls(order, 'captureReservation')).toHaveLength(1);
    expect((await stored(order)).operation(captureKey)).toMatchObject({
      kind: 'capture',
      amount: '100.00',
      state: 'done',
    });

    const refundKey = randomUUID();
    const refunded = await client.refund(order, { amount: '40.00', idempotencyKey: refundKey });

    expect(refunded.operation).toMatchObject({ kind: 'refund', amount: '40.00', state: 'done' });
    expect(refunded.payment).toMatchObject({ capturedAmount: '100.00', refundedAmount: '40.00' });
    await stack.workSettled();
    const after = await client.getPayment(order);
    expect(after.transactions[0]).toMatchObject({
      transactionId: transaction?.transactionId,
      capturedAmount: '100.00',
      refundedAmount: '40.00',
    });
    const table = await stored(order);
    expect(table.operation(refundKey)).toMatchObject({ kind: 'refund', amount: '40.00', state: 'done' });
    expect(table.payment?.status).toBe(after.status);
    expect(simulatorCalls(order, 'refundCapturedReservation')).toHaveLength(1);
  });

  it('releases another payment; a release after a capture is a typed 409', async () => {
    const order = 'client-release';
    await paidWithClient(order, '99.95');

    const released = await client.release(order, { idempotencyKey: randomUUID() });

    expect(released.operation).toMatchObject({ kind: 'release', amount: '99.95', state: 'done' });
    expect(released.payment).toMatchObject({ status: 'released' });
    await stack.workSettled();
    expect((await client.getPayment(order)).status).toBe('released');
    expect((await stored(order)).payment?.status).toBe('released');
    expect(simulatorCalls(order, 'releaseReservation')).toHaveLength(1);

    const refused = await client.release('client-flow', { idempotencyKey: randomUUID() }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(PaymentsApiError);
    expect(refused).toMatchObject({ status: 409, code: 'cannot_release', retryWithSameKey: false });
    expect((refused as PaymentsApiError).message).toMatch(/refund it instead/);
  });

  it('an order it does not know is a typed 404', async () => {
    await expect(client.getPayment('client-unknown')).rejects.toMatchObject({
      name: 'PaymentsApiError',
      status: 404,
      code: 'not_found',
    });
  });
});
