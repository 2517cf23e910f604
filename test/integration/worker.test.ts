import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  callbackFields,
  createdTransaction,
  paymentStates,
  settleTransaction,
} from '../../local/altapay-simulator/documents';
import { fakeCredentials, localRegion } from '../../local/emulators';
import type { BatchOutcome } from '../../local/sqs-event-source';
import { findCurrency } from '../../shared/altapay/currency';
import { encodeFormBody } from '../../shared/altapay/form-body';
import { eventually, useLocalStack } from '../support/local-stack';

/**
 * The slow work end to end: real HTTP into the real Lambda entries, the AltaPay simulator, dynalite
 * and local-aws-sqs, the work queue consumed by the worker Lambda through the local event source
 * mapping, and the merchant's endpoint receiving signed events. A failed message is back after 4 s:
 * longer than one failing run (three delivery attempts over 2.5 s), as on AWS, where the visibility
 * timeout must outlast the function, or the queue moves a message to the DLQ while it still runs.
 */
const terminalSecret = 'worker-terminal-secret';
const merchantKey = `whsec_${randomBytes(32).toString('base64')}`;
// Three attempts, not the local default of five (the queue's maxReceiveCount): each failing attempt
// costs a visibility timeout, and three show the same thing as five.
const maxAttempts = 3;
const stack = useLocalStack(
  {
    ALTAPAY_CALLBACK_SECRET: terminalSecret,
    MERCHANT_WEBHOOK_SECRET: merchantKey,
    WORK_MAX_ATTEMPTS: String(maxAttempts),
  },
  { visibilityTimeoutSeconds: 4 },
);

interface WorkMessage {
  kind: string;
  workId: string;
  shopOrderId: string;
  status: string;
}

const eventsFor = (shopOrderId: string) =>
  stack.merchant.received.filter((e) => e.shopOrderId === shopOrderId);
const acceptedFor = (shopOrderId: string) =>
  stack.merchant.accepted().filter((e) => e.shopOrderId === shopOrderId);
const paid = async (shopOrderId: string, amount = '100.00') =>
  stack.simulator.pay(await stack.createPayment(shopOrderId, amount), 'success');

describe('the payment worker', () => {
  it('confirms a paid order and hands one signed payment.reserved to the merchant, however often its message comes', async () => {
    const order = 'wk-paid';
    const pid = await stack.createPayment(order, '249.00');
    // Hold the worker so the message can be taken off the queue and sent three times.
    await stack.pauseWorker();
    stack.simulator.delivery.repeat = 3; // the gateway posts the ok callback three times at once
    try {
      await stack.simulator.pay(pid, 'success');
    } finally {
      stack.simulator.delivery.repeat = 1;
    }

    const queued = await stack.takeWork();
    expect(queued).toHaveLength(1); // three callbacks, one state change, one piece of work
    const body = queued[0]?.body ?? '';
    const work = JSON.parse(body) as WorkMessage;
    expect(work).toMatchObject({ kind: 'payment-work', shopOrderId: order, status: 'reserved' });
    for (let i = 0; i < 3; i++) await stack.sendWork(body);
    stack.resumeWorker();
    await stack.merchant.waitFor((events) => events.some((e) => e.shopOrderId === order));
    await stack.workSettled();

    const received = eventsFor(order);
    expect(new Set(received.map((e) => e.id)).size).toBe(1);
    expect(received.every((e) => e.type === 'payment.reserved' && e.signatureOk && e.status === 204)).toBe(
      true,
    );
    const [event] = received;
    // Verified again here as a merchant would, with the standardwebhooks library alone, from the raw
    // body and the headers; one byte changed and it refuses.
    const rawBody = event?.rawBody ?? '';
    const headers = event?.headers ?? {};
    const verified = new Webhook(merchantKey).verify(rawBody, headers);
    const oneByteChanged = rawBody.replace('"reserved"', '"reservee"');
    expect(oneByteChanged).not.toBe(rawBody);
    expect(() => new Webhook(merchantKey).verify(oneByteChanged, headers)).toThrow(/No matching signature/);
    expect(verified).toMatchObject({
      id: expect.stringMatching(/^evt_[0-9a-f]{32}$/),
      type: 'payment.reserved',
      data: { shopOrderId: order, status: 'reserved', previousStatus: 'created', currency: 'DKK' },
    });
    expect(event?.headers['webhook-id']).toBe(event?.id);

    expect(await stack.workRecord(order, work.workId)).toMatchObject({
      state: 'done',
      confirmation: { confirmed: true, detail: expect.stringContaining('the gateway confirms') },
      event: { eventId: event?.id, type: 'payment.reserved' },
      deliveredAt: expect.any(String),
      deliveries: [expect.objectContaining({ status: 204 })],
    });
    expect((await stack.payment(order))?.status).toBe('reserved');
  });

  it('flags a forged callback the gateway never saw and tells the merchant nothing', async () => {
    const order = 'wk-forged';
    const dkk = findCurrency('DKK');
    if (dkk === undefined) throw new Error('DKK is unknown');
    const now = new Date();
    // Correctly formed and even correctly signed (a leaked secret), for a transaction that does not exist.
    const created = createdTransaction({
      transactionId: '99123456',
      paymentId: randomUUID(),
      authType: 'payment',
      shopOrderId: order,
      terminal: 'AltaPay Test Terminal',
      currency: dkk,
      paymentNature: 'CreditCard',
      withCard: true,
      creditCardToken: randomBytes(20).toString('hex'),
      at: now,
    });
    const transaction = settleTransaction(created, 'reserved', '500.00', now);
    const fields = callbackFields({
      transaction,
      status: paymentStates.reserved.status,
      result: paymentStates.reserved.result,
      requireCapture: true,
      amount: '500.00',
      secret: terminalSecret,
      date: now,
    });
    const answer = await fetch(`${stack.apiUrl}/callbacks/ok`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: encodeFormBody(fields),
    });
    expect(answer.status).toBe(200);

    const flagged = await eventually('the unconfirmed flag', async () => {
      const payment = await stack.payment(order);
      return payment?.flags.includes('unconfirmed') ? payment : undefined;
    });
    // Recorded for people to look at, but the gateway's silence outranks the callback: not paid.
    expect(flagged.transactions).toEqual([
      expect.objectContaining({ transactionId: '99123456', gatewayStatus: 'preauth', flag: 'unconfirmed' }),
    ]);
    expect(flagged.status).not.toMatch(/^(reserved|captured)$/);
    await stack.workSettled();
    expect(eventsFor(order)).toEqual([]);
    const work = (await stack.orderItems(order)).find((item) => String(item.recordKey).startsWith('work#'));
    expect(work).toMatchObject({
      state: 'done',
      confirmation: { confirmed: false, detail: expect.stringContaining('unknown to the gateway') },
    });
    expect(work).not.toHaveProperty('event');
  });

  it('parks work the merchant keeps refusing in the DLQ with the reason, and delivers the rest of its batches', async () => {
    const failing = 'wk-merchant-down';
    const others = ['wk-batch-1', 'wk-batch-2'];
    stack.merchant.answer((event) => (event.shopOrderId === failing ? 'error' : 'accept'));
    const batches: BatchOutcome[] = [];
    const stopListening = stack.onWorkerBatch((outcome) => batches.push(outcome));
    try {
      // All three wait on the queue, so the worker gets them in one batch.
      await stack.pauseWorker();
      for (const order of [failing, ...others]) await paid(order);
      stack.resumeWorker();
      // More work arrives while the failing message is being retried.
      await stack.merchant.waitFor((events) => others.every((o) => events.some((e) => e.shopOrderId === o)));
      await paid('wk-batch-3');

      const parked = await eventually(
        'the failing work in the DLQ',
        async () => (await stack.deadLetters()).find((m) => m.body.includes(`"shopOrderId":"${failing}"`)),
        25_000,
      );
      expect(parked.messageAttributes).toMatchObject({
        attempts: String(maxAttempts),
        failureReason: `Failed ${maxAttempts} times: Error: The merchant endpoint did not accept payment.reserved: HTTP 500.`,
        failedAt: expect.any(String),
      });
      expect(JSON.parse(parked.body)).toMatchObject({ kind: 'payment-work', shopOrderId: failing });
      await stack.workSettled();
    } finally {
      stopListening();
    }

    // Each run tries three times (now, +0.5 s, +2 s), all with the one event.
    const refused = eventsFor(failing);
    expect(refused).toHaveLength(maxAttempts * 3);
    expect(new Set(refused.map((e) => e.id)).size).toBe(1);
    expect(refused.every((e) => e.status === 500)).toBe(true);
    for (const order of [...others, 'wk-batch-3']) {
      expect(acceptedFor(order).map((e) => e.type)).toEqual(['payment.reserved']);
    }
    // The batch that failed for one message still completed the others.
    const firstFailure = batches.find((b) => b.failedIds.length > 0);
    expect(firstFailure?.error).toBeUndefined();
    expect(firstFailure?.messageIds.length).toBe(3);
    expect(firstFailure?.failedIds.length).toBe(1);
    const work = (await stack.orderItems(failing)).find((item) => String(item.recordKey).startsWith('work#'));
    expect(work).toMatchObject({ state: 'in-progress', lastError: 'HTTP 500' });
  }, 40_000);

  it('sends a message that is not ours straight to the DLQ and carries on', async () => {
    await stack.pauseWorker();
    await stack.sendWork('this is not json');
    await stack.sendWork(JSON.stringify({ kind: 'payment-work', shopOrderId: 'x' }));
    await paid('wk-after-garbage');
    stack.resumeWorker();

    await stack.merchant.waitFor((events) => events.some((e) => e.shopOrderId === 'wk-after-garbage'));
    await stack.workSettled();
    const parked = (await stack.deadLetters()).filter((m) => m.messageAttributes.attempts === '1');
    expect(parked.map((m) => [m.body, m.messageAttributes.failureReason])).toEqual([
      ['this is not json', 'Not a work message: MalformedRequestError: The message is not JSON.'],
      [
        JSON.stringify({ kind: 'payment-work', shopOrderId: 'x' }),
        expect.stringMatching(/^Not a work message: MalformedRequestError: Message field/),
      ],
    ]);
    expect(acceptedFor('wk-after-garbage')).toHaveLength(1);
  });

  it("parks a callback at once, with the reason, when the order's item would pass 400 KB, and keeps the payment as it was", async () => {
    const order = `wk-full-${randomUUID().slice(0, 8)}`;
    const pid = await stack.createPayment(order, '10.00');
    // An item grown to just under DynamoDB's limit, as 487 create-and-cancel cycles grew one before
    // attempts and the log were bounded.
    const client = new DynamoDBClient({
      region: localRegion,
      endpoint: stack.resources.dynamodbEndpoint,
      credentials: fakeCredentials,
    });
    try {
      await DynamoDBDocumentClient.from(client).send(
        new UpdateCommand({
          TableName: stack.resources.tableName,
          Key: { shopOrderId: order, recordKey: 'payment' },
          UpdateExpression: 'SET padding = :padding',
          ExpressionAttributeValues: { ':padding': 'x'.repeat(408_500) },
        }),
      );
    } finally {
      client.destroy();
    }

    await stack.simulator.pay(pid, 'success');
    await stack.workSettled();

    const parked = (await stack.deadLetters()).filter((m) =>
      m.messageAttributes.failureReason?.includes('ItemTooLargeError'),
    );
    expect(parked.map((m) => [m.messageAttributes.attempts, m.messageAttributes.failureReason])).toEqual([
      ['1', expect.stringMatching(/^Never retried: ItemTooLargeError: .*400 KB item limit/)],
    ]);
    expect((await stack.payment(order))?.status).toBe('created');
    expect(eventsFor(order)).toEqual([]);
  }, 30_000);
});
