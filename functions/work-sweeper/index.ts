import type { Context, ScheduledEvent } from 'aws-lambda';
import { sweepPendingWork } from '../../shared/worker/sweep-pending-work';
import { clock, log, paymentStore, refreshSettings, settings, workQueue } from '../runtime/dependencies';

const deps = { store: paymentStore(), queue: workQueue(), clock, log };

/**
 * Every minute (EventBridge on AWS, a timer on the local stack): queues work that was recorded with
 * its state change but never reached the queue. Young work (SWEEP_MIN_AGE_SECONDS) is left to its callback.
 */
export const handler = async (_event: ScheduledEvent, context: Context) => {
  log.addContext(context);
  await refreshSettings();
  return sweepPendingWork(deps, { minAgeSeconds: settings.sweepMinAgeSeconds, limit: 500 });
};
