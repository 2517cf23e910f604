import { randomUUID } from 'node:crypto';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AltaPayMerchantApi } from '../../adapters/altapay/merchant-api';
import { DynamoDbPaymentStore } from '../../adapters/dynamodb/payment-store';
import { MerchantEventBus } from '../../adapters/eventbridge/merchant-event-bus';
import { MerchantWebhook } from '../../adapters/http/merchant-webhook';
import { SqsDeadLetterQueue, SqsWorkQueue } from '../../adapters/sqs/work-queue';
import type {
  Clock,
  DeadLetterQueue,
  MerchantNotifier,
  PaymentGateway,
  PaymentStore,
  WorkQueue,
} from '../../shared/ports';
import { fanOut } from '../../shared/worker/fan-out-notifier';
import { createLogger } from './logger';
import { sdkOptions } from './sdk-options';
import { holdSettings, type Settings } from './settings';

/**
 * The composition root: settings, clients and adapters, built once per cold start (module scope)
 * and shared by every invocation of the function that imports them.
 */

/**
 * One per cold start, in the format LOG_FORMAT asks for. On the local stack every function shares it,
 * and each invocation still logs as itself (local/invocation-scope.ts).
 */
export const log = createLogger();
/** How long a secret is trusted before it is read again (rotation reaches warm functions). */
const secretMaxAgeMs = 300_000;

/** Secrets Manager is asked only when a `*_SECRET_ARN` is configured (on AWS); Powertools caches the answer. */
const fetchSecret = async (arn: string): Promise<string> => {
  const value = await getSecret(arn, { maxAge: secretMaxAgeMs / 1000 });
  if (typeof value !== 'string') throw new Error('the secret has no string value');
  return value;
};

const held = await holdSettings(process.env, fetchSecret, {
  maxAgeMs: secretMaxAgeMs,
  now: Date.now,
  onError: (error) =>
    log.warn('could not re-read the secrets; keeping the last good settings', {
      error: error instanceof Error ? error.message : String(error),
    }),
});

/** Read at cold start; `refreshSettings` re-reads the secrets of a long-lived warm function. */
export let settings: Settings = held.current;

/**
 * Called at the start of every invocation: after five minutes, re-reads the secrets (Powertools
 * fetches them again once its cache is that old), so a secret rotated in Secrets Manager reaches
 * warm functions without a redeploy.
 */
export async function refreshSettings(): Promise<void> {
  await held.refresh();
  settings = held.current;
}

export const clock: Clock = { now: () => new Date() };
export const newId = (): string => randomUUID();

let store: PaymentStore | undefined;
let queue: WorkQueue | undefined;
let gateway: PaymentGateway | undefined;
let deadLetters: DeadLetterQueue | undefined;
let sqs: SQSClient | undefined;

/** One SQS client per cold start, shared by the work queue and the dead-letter queue. */
function sqsClient(): SQSClient {
  sqs ??= new SQSClient(sdkOptions);
  return sqs;
}

/** The payments table adapter (one client per cold start). */
export function paymentStore(): PaymentStore {
  store ??= new DynamoDbPaymentStore(new DynamoDBClient(sdkOptions), settings.paymentsTableName);
  return store;
}

/** The work queue adapter; fails at start-up of a function that needs it when WORK_QUEUE_URL is unset. */
export function workQueue(): WorkQueue {
  if (settings.workQueueUrl === undefined) throw new Error('Invalid settings: WORK_QUEUE_URL is required');
  queue ??= new SqsWorkQueue(sqsClient(), settings.workQueueUrl);
  return queue;
}

/** The AltaPay Merchant API client; fails at start-up of a function that needs it, naming what is missing. */
export function paymentGateway(): PaymentGateway {
  if (settings.gateway === undefined) {
    throw new Error(`Invalid settings: ${settings.missingGatewaySettings.join(', ')} required`);
  }
  // Read per call, so rotated API credentials apply once the settings are refreshed.
  gateway ??= new AltaPayMerchantApi(() => {
    if (settings.gateway === undefined) throw new Error('Invalid settings: the gateway settings disappeared');
    return settings.gateway;
  });
  return gateway;
}

/** The work queue's dead-letter queue; fails at start-up of a function that needs it when WORK_DLQ_URL is unset. */
export function deadLetterQueue(): DeadLetterQueue {
  if (settings.workDlqUrl === undefined) throw new Error('Invalid settings: WORK_DLQ_URL is required');
  deadLetters ??= new SqsDeadLetterQueue(sqsClient(), settings.workDlqUrl);
  return deadLetters;
}

/**
 * Where merchant events go: the EventBridge bus (EVENT_BUS_NAME) and the merchant's webhook, each when
 * configured; undefined when neither is (events are then only recorded).
 */
export function merchantNotifier(): MerchantNotifier | undefined {
  const notifiers: MerchantNotifier[] = [];
  if (settings.eventBusName !== undefined) {
    notifiers.push(new MerchantEventBus(new EventBridgeClient(sdkOptions), settings.eventBusName));
  }
  if (settings.merchantWebhook !== undefined) {
    const fallback = settings.merchantWebhook;
    // Read per delivery, so a rotated signing key applies once the settings are refreshed.
    notifiers.push(
      new MerchantWebhook(() => ({ ...(settings.merchantWebhook ?? fallback), timeoutMs: 5_000 })),
    );
  }
  return fanOut(notifiers);
}
