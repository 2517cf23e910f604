/**
 * The one route table. The local stack (`local/api-gateway-server.ts`) and the CDK app (`infra/`)
 * both read it, so a route cannot exist in one and be missing from the other.
 *
 * Entries are plain data (no imports of handler code) so that the CDK app can read them without
 * loading the Lambdas, and the local stack can import each entry exactly as Lambda would.
 */

/** Who may call a route. */
export type RouteAccess =
  /** Called by the AltaPay gateway; optionally restricted to its published addresses on AWS. */
  | 'gateway'
  /** Operators and the merchant's back end only: IAM-signed on AWS, open on the local stack. */
  | 'iam'
  /** Anyone (the shop's checkout). */
  | 'public';

export interface LambdaSpec {
  /** Folder under `functions/` and the function's logical name. */
  readonly name: string;
  /** Entry file relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  /** Lambda timeout. Callbacks stay far below the gateway's 5 s (notification) / 28 s budget. */
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
}

export interface HttpRoute {
  readonly method: 'GET' | 'POST';
  /** API Gateway resource path; `{name}` segments become `pathParameters.name`. */
  readonly path: string;
  readonly lambda: LambdaName;
  readonly access: RouteAccess;
}

const callback = (name: string, description: string): LambdaSpec => ({
  name,
  entry: `functions/${name}/index.ts`,
  description,
  timeoutSeconds: 10,
  // The cheapest size whose cold p99 stays well inside the gateway's 5 s (npm run bench, section 4:
  // 867 ms cold + p99 at 256 MB, $0.00040 per 1,000 callbacks against $0.00047 at 512 MB).
  memoryMb: 256,
});

const operation = (name: string, description: string): LambdaSpec => ({
  name,
  entry: `functions/${name}/index.ts`,
  description,
  // One gateway call (8 s at most) and, after a lost answer, one look (8 s); API Gateway waits 29 s.
  timeoutSeconds: 20,
  memoryMb: 512,
});

export const lambdas = {
  'callback-ok': callback(
    'callback-ok',
    'AltaPay callback_ok: records a successful payment, shows the receipt',
  ),
  'callback-fail': callback('callback-fail', 'AltaPay callback_fail: records a failed payment, shows why'),
  'callback-open': callback('callback-open', 'AltaPay callback_open: records a pending payment'),
  'callback-notification': callback(
    'callback-notification',
    'AltaPay callback_notification: records the final result of an open payment',
  ),
  'callback-verify-order': callback(
    'callback-verify-order',
    'AltaPay callback_verify_order: answers OKAY only for an unpaid order of the requested amount',
  ),
  'create-payment': {
    name: 'create-payment',
    entry: 'functions/create-payment/index.ts',
    description: "POST /payments: creates the gateway's payment request for a shop order and redirects to it",
    // The gateway call may take up to 8 s and is retried once only if it never left; API Gateway waits 29 s.
    timeoutSeconds: 20,
    memoryMb: 512,
  },
  'payment-status': {
    name: 'payment-status',
    entry: 'functions/payment-status/index.ts',
    description: 'GET /payments/{shopOrderId}: the stored payment, its transactions and callback log',
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  'capture-payment': operation(
    'capture-payment',
    'POST /payments/{shopOrderId}/captures: captures (part of) a reservation once per Idempotency-Key',
  ),
  'refund-payment': operation(
    'refund-payment',
    'POST /payments/{shopOrderId}/refunds: refunds (part of) what is captured once per Idempotency-Key',
  ),
  'release-payment': operation(
    'release-payment',
    'POST /payments/{shopOrderId}/releases: releases a reservation once per Idempotency-Key',
  ),
  'charge-payment': operation(
    'charge-payment',
    'POST /payments/{shopOrderId}/charges: charges a subscription agreement once per Idempotency-Key',
  ),
  'payment-worker': {
    name: 'payment-worker',
    entry: 'functions/payment-worker/index.ts',
    description:
      'SQS consumer: confirms each payment change with the gateway, captures, notifies the merchant',
    // Each message: one or two gateway calls (8 s at most each) and a merchant POST (5 s); the queue's
    // visibility timeout is six times this.
    timeoutSeconds: 30,
    memoryMb: 512,
  },
  'work-sweeper': {
    name: 'work-sweeper',
    entry: 'functions/work-sweeper/index.ts',
    description: 'Every minute: queues work that was recorded but never reached the queue',
    timeoutSeconds: 60,
    memoryMb: 256,
  },
  reconciler: {
    name: 'reconciler',
    entry: 'functions/reconciler/index.ts',
    description:
      'Every 5 minutes: asks the gateway about payment requests that got no callback, records its answer',
    // Up to 100 gateway calls of at most 8 s each, one after another; most answer in well under a second.
    timeoutSeconds: 300,
    memoryMb: 256,
  },
} as const satisfies Record<string, LambdaSpec>;

export type LambdaName = keyof typeof lambdas;

export const httpRoutes: readonly HttpRoute[] = [
  { method: 'POST', path: '/callbacks/ok', lambda: 'callback-ok', access: 'gateway' },
  { method: 'POST', path: '/callbacks/fail', lambda: 'callback-fail', access: 'gateway' },
  { method: 'POST', path: '/callbacks/open', lambda: 'callback-open', access: 'gateway' },
  { method: 'POST', path: '/callbacks/notification', lambda: 'callback-notification', access: 'gateway' },
  { method: 'POST', path: '/callbacks/verify-order', lambda: 'callback-verify-order', access: 'gateway' },
  { method: 'POST', path: '/payments', lambda: 'create-payment', access: 'public' },
  { method: 'GET', path: '/payments/{shopOrderId}', lambda: 'payment-status', access: 'iam' },
  { method: 'POST', path: '/payments/{shopOrderId}/captures', lambda: 'capture-payment', access: 'iam' },
  { method: 'POST', path: '/payments/{shopOrderId}/refunds', lambda: 'refund-payment', access: 'iam' },
  { method: 'POST', path: '/payments/{shopOrderId}/releases', lambda: 'release-payment', access: 'iam' },
  { method: 'POST', path: '/payments/{shopOrderId}/charges', lambda: 'charge-payment', access: 'iam' },
];

/** What invokes a Lambda that has no HTTP route. */
export type EventSource =
  /** The work queue, in batches; failed messages are reported one by one (partial batch response). */
  | {
      readonly lambda: LambdaName;
      readonly kind: 'work-queue';
      readonly batchSize: number;
      readonly maxBatchingWindowSeconds: number;
    }
  /** A schedule (EventBridge on AWS, a timer on the local stack). */
  | { readonly lambda: LambdaName; readonly kind: 'schedule'; readonly everyMinutes: number };

export const eventSources: readonly EventSource[] = [
  { lambda: 'payment-worker', kind: 'work-queue', batchSize: 10, maxBatchingWindowSeconds: 1 },
  { lambda: 'work-sweeper', kind: 'schedule', everyMinutes: 1 },
  { lambda: 'reconciler', kind: 'schedule', everyMinutes: 5 },
];

/** The path of a Lambda's route, e.g. to tell the gateway where our callbacks are. */
export function routePath(lambda: LambdaName): string {
  const route = httpRoutes.find((r) => r.lambda === lambda);
  if (route === undefined) throw new Error(`No route for ${lambda}`);
  return route.path;
}

/** Our callback URLs under `base` (the API's public base URL), as the gateway must be told them. */
export function callbackUrls(
  base: URL,
): Record<'ok' | 'fail' | 'open' | 'notification' | 'verifyOrder', string> {
  const at = (lambda: LambdaName) =>
    new URL(routePath(lambda).slice(1), base.href.endsWith('/') ? base : `${base.href}/`).href;
  return {
    ok: at('callback-ok'),
    fail: at('callback-fail'),
    open: at('callback-open'),
    notification: at('callback-notification'),
    verifyOrder: at('callback-verify-order'),
  };
}
