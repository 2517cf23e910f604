import type {
  Clock,
  Log,
  MerchantNotifier,
  PaymentGateway,
  PaymentStore,
  WorkerMetrics,
  WorkQueue,
} from '../ports';

/** What the worker's steps need. */
export interface WorkerDeps {
  readonly store: PaymentStore;
  readonly gateway: PaymentGateway;
  readonly queue: WorkQueue;
  /** Undefined when no merchant endpoint is configured: events are built and recorded, not sent. */
  readonly notifier?: MerchantNotifier;
  readonly clock: Clock;
  readonly log: Log;
  /** Capture reservations as soon as they are confirmed (the merchant's setting). */
  readonly autoCapture: boolean;
  /** Pauses between delivery attempts within one run; the queue's redelivery adds longer ones. */
  readonly deliveryBackoffMs: readonly number[];
  readonly sleep: (ms: number) => Promise<void>;
  readonly metrics?: WorkerMetrics;
}
