import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ItemTooLargeError, MalformedRequestError } from '../../shared/errors';
import { describe } from '../../shared/payments/save-decision';
import { parseWorkMessage, runWorkMessage } from '../../shared/worker/run-work-message';
import { metricNames } from '../metrics';
import {
  clock,
  deadLetterQueue,
  log,
  merchantNotifier,
  newId,
  paymentGateway,
  paymentStore,
  refreshSettings,
  settings,
  workQueue,
} from '../runtime/dependencies';
import { countMetric, workerMetrics } from '../runtime/metrics';

const notifier = merchantNotifier();
const deps = {
  store: paymentStore(),
  gateway: paymentGateway(),
  queue: workQueue(),
  ...(notifier ? { notifier } : {}),
  clock,
  log,
  newId,
  get callbackSecrets() {
    return settings.callbackSecrets;
  },
  autoCapture: settings.autoCapture,
  // Three tries in this run (now, +0.5 s, +2 s); then the queue brings the message back later.
  deliveryBackoffMs: [500, 2_000],
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  metrics: workerMetrics,
};
const deadLetters = deadLetterQueue();
const processor = new BatchProcessor(EventType.SQS);

/**
 * One message. A failure is retried by the queue; on its last attempt, or at once if it can never
 * succeed (not one of our messages, or a payment item the table refuses to grow), it is parked in the
 * dead-letter queue with the reason.
 */
async function handleRecord(record: SQSRecord): Promise<void> {
  const attempts = Number(record.attributes.ApproximateReceiveCount) || 1;
  // What the message is about, for the log lines below (nothing for a message that is not ours).
  let about: { shopOrderId?: string; workId?: string } = {};
  try {
    const message = parseWorkMessage(record.body);
    if (message.kind === 'payment-work') about = { shopOrderId: message.shopOrderId, workId: message.workId };
    await runWorkMessage(deps, message);
  } catch (error) {
    const poison = error instanceof MalformedRequestError;
    const tooLarge = error instanceof ItemTooLargeError;
    if (!poison && !tooLarge && attempts < settings.workMaxAttempts) {
      log.warn('work failed; the queue will retry it', {
        ...about,
        messageId: record.messageId,
        attempts,
        error: describe(error),
      });
      throw error;
    }
    const reason = `${poison ? 'Not a work message' : tooLarge ? 'Never retried' : `Failed ${attempts} times`}: ${describe(error)}`;
    await deadLetters.park(record.body, reason, attempts);
    if (tooLarge) countMetric(metricNames.itemTooLarge);
    countMetric(metricNames.workParked, {
      reason: poison ? 'poison' : tooLarge ? 'item-too-large' : 'failed',
    });
    log.error('work parked in the dead-letter queue', {
      ...about,
      messageId: record.messageId,
      attempts,
      reason,
    });
  }
}

/** The work queue's consumer: a batch in, the ids of the messages to retry out (partial batch response). */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  log.addContext(context);
  await refreshSettings();
  // Every failed message is reported by id even when all fail, so the good ones are never redone.
  return processPartialResponse(event, handleRecord, processor, { context, throwOnFullBatchFailure: false });
};
