import type { Context, ScheduledEvent } from 'aws-lambda';
import { reconcilePayments } from '../../shared/reconcile/reconcile-payments';
import { metricNames } from '../metrics';
import {
  clock,
  log,
  newId,
  paymentGateway,
  paymentStore,
  refreshSettings,
  settings,
  workQueue,
} from '../runtime/dependencies';
import { countMetrics } from '../runtime/metrics';

const deps = { store: paymentStore(), queue: workQueue(), gateway: paymentGateway(), clock, log, newId };

/** Orders asked about per run: 100 gateway calls stay well inside the function's timeout. */
const ordersPerRun = 100;

/**
 * Every five minutes (EventBridge on AWS, a timer on the local stack): asks the gateway about payment
 * requests unanswered for RECONCILE_AFTER_MINUTES and open payments unchanged for a day, and records
 * what it says as a callback would be (shared/reconcile/reconcile-payments.ts). Answers what changed
 * and what failed; the rest (asked, unchanged, unknown) is in the log and the metrics.
 */
export const handler = async (_event: ScheduledEvent, context: Context) => {
  log.addContext(context);
  await refreshSettings();
  const { asked, ...outcomes } = await reconcilePayments(deps, {
    afterMinutes: settings.reconcileAfterMinutes,
    requestExpiryMinutes: settings.requestExpiryMinutes,
    limit: ordersPerRun,
  });
  countMetrics(metricNames.reconciledOrders, 'outcome', outcomes);
  return { changed: outcomes.changed, failed: outcomes.failed };
};
