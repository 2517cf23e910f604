import * as z from 'zod/mini';
import { DynamoDbPaymentStore } from '../../adapters/dynamodb/payment-store';
import { SqsWorkQueue } from '../../adapters/sqs/work-queue';
import {
  callbackTypes,
  type PaymentWork,
  paymentStatuses,
  paymentWorkSchema,
} from '../../shared/payments/payment';
import type { WorkRecord } from '../../shared/worker/work-record';
import type { Command } from './command';
import { CliError, UsageError } from './errors';
import { readOrder, type StoredCallbackLogEntry } from './records';
import { unknownOrder } from './show';

/** What the CLI needs from a stored merchant event's body to rebuild the work message. */
const eventBody = z.object({
  created: z.string(),
  data: z.object({
    status: z.enum(paymentStatuses),
    previousStatus: z.optional(z.enum(paymentStatuses)),
    version: z.number(),
    changedTransactionIds: z.array(z.string()),
  }),
});

/**
 * `resend <shopOrderId>`: hands the order's latest merchant event to the merchant again, through
 * the worker (so it is signed and recorded like every delivery).
 *
 * An event already delivered is delivered again with the same id and bytes: its work record is reset
 * (`deliveredAt` removed, state back to in-progress, conditional on the record's revision), because
 * the worker skips work that is done. Merchants deduplicate on the event id, so one who has it loses
 * nothing; one who lost it gets it. Nothing else is redone: the confirmation and capture are recorded.
 */
export const resendCommand: Command = {
  name: 'resend',
  summary: "hand the order's latest merchant event to the merchant again",
  usage: `Usage: npm run payments -- resend <shopOrderId>

Puts the work of the order's latest merchant event back on the work queue, and the worker POSTs the
stored event to the merchant endpoint again (signed, recorded as a delivery). If the event had been
delivered already, its work record is reset first so the worker sends it again: the same event id
and bytes, which the merchant deduplicates on. The gateway confirmation and any capture are not redone.`,
  options: [],
  async run({ target, args, out, now }) {
    const [shopOrderId, ...extra] = args;
    if (shopOrderId === undefined) throw new UsageError('missing <shopOrderId>', 'resend');
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`, 'resend');
    const order = await readOrder(target, shopOrderId);
    if (order === undefined) throw new CliError(unknownOrder(shopOrderId));
    const latest = order.work.filter((w) => w.event !== undefined).at(-1);
    if (latest?.workId === undefined) {
      throw new CliError(
        `Order ${shopOrderId} has no merchant event to resend: ${
          order.work.length === 0
            ? 'the worker has not done any of its work yet (see show, and dlq list)'
            : 'its work produced none (not confirmed by the gateway, or nothing to tell; see show)'
        }`,
      );
    }
    const store = new DynamoDbPaymentStore(target.dynamodb, await target.tableName());
    const record = await store.getWorkRecord(shopOrderId, latest.workId);
    if (record?.event === undefined)
      throw new CliError(`The work record ${latest.workId} changed while reading it: try again`);
    const work = workOf(record, record.event.body, order.callbackLog);

    const wasDelivered = record.deliveredAt;
    const reset = record.state === 'done' ? await reopen(store, record, now().toISOString()) : undefined;
    try {
      await new SqsWorkQueue(target.sqs, await target.queueUrl()).enqueue(work);
    } catch (error) {
      // Without its message, reopened work would wait for nobody: put the record back as it was.
      if (reset)
        await store
          .saveWorkRecord({ ...record, revision: reset.revision + 1 }, reset.revision)
          .catch(() => undefined);
      throw error;
    }

    const what = `${record.event.type} ${record.event.eventId} of order ${shopOrderId} (work ${record.workId})`;
    if (wasDelivered !== undefined) {
      out(`Queued ${what} again.`);
      out(
        `It had been delivered at ${wasDelivered}; its work record was reset so the worker delivers the same event id again (the merchant deduplicates on it).`,
      );
    } else if (reset) {
      out(`Queued ${what} again.`);
      out(
        'It was recorded but never sent (no merchant endpoint was configured then); the worker sends it now if one is.',
      );
    } else {
      out(`Queued ${what} again.`);
      out(
        `It is not delivered yet (${record.deliveries.length} attempt(s)${record.lastError ? `, last error: ${record.lastError}` : ''}); the worker tries again now.`,
      );
    }
    out(`Follow it with: npm run payments -- show ${shopOrderId}`);
    return 0;
  },
};

/** Marks done work as to be done again, if nobody changed it meanwhile; resolves with the saved record. */
async function reopen(store: DynamoDbPaymentStore, record: WorkRecord, now: string): Promise<WorkRecord> {
  const { deliveredAt: _, ...rest } = record;
  const next: WorkRecord = { ...rest, state: 'in-progress', revision: record.revision + 1, updatedAt: now };
  if ((await store.saveWorkRecord(next, record.revision)) === 'conflict') {
    throw new CliError(
      `The work record ${record.workId} changed while resending (the worker is on it): try again`,
    );
  }
  return next;
}

/**
 * The work message the record was made for, rebuilt from the stored event (which carries its status,
 * version and transactions). The callback type is not stored with the work: it is taken from the
 * callback recorded at the very moment the work was created, else `notification` (what the worker's
 * own follow-up work uses). The worker does not act on it for work whose event is already built.
 */
function workOf(
  record: WorkRecord,
  body: string,
  callbackLog: readonly StoredCallbackLogEntry[],
): PaymentWork {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new CliError(`The stored event of work ${record.workId} is not JSON`);
  }
  const parsed = eventBody.safeParse(json);
  if (!parsed.success)
    throw new CliError(`The stored event of work ${record.workId} does not have the expected shape`);
  const { created, data } = parsed.data;
  const cause = callbackLog.find((e) => e.receivedAt === created && e.outcome === 'changed')?.callbackType;
  const callbackType = callbackTypes.find((t) => t === cause) ?? 'notification';
  return paymentWorkSchema.parse({
    workId: record.workId,
    shopOrderId: record.shopOrderId,
    version: data.version,
    callbackType,
    status: data.status,
    ...(data.previousStatus === undefined ? {} : { previousStatus: data.previousStatus }),
    transactionIds: data.changedTransactionIds,
    createdAt: created,
  });
}
