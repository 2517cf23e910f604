import { randomUUID } from 'node:crypto';
import { AltaPayMerchantApi } from '../../adapters/altapay/merchant-api';
import { DynamoDbPaymentStore } from '../../adapters/dynamodb/payment-store';
import { SqsWorkQueue } from '../../adapters/sqs/work-queue';
import { localGatewayCredentials } from '../../local/gateway-credentials';
import type { PaymentGateway } from '../../shared/ports';
import { reconcileOrder } from '../../shared/reconcile/reconcile-payments';
import type { Command, CommandContext } from './command';
import { CliError, UsageError } from './errors';
import { unknownOrder } from './show';
import type { Target } from './target';

const gatewayVariables = ['ALTAPAY_GATEWAY_URL', 'ALTAPAY_API_USERNAME', 'ALTAPAY_API_PASSWORD'] as const;

/**
 * `reconcile <shopOrderId>`: what the scheduled reconciler does for one order, now
 * (shared/reconcile/reconcile-payments.ts), with the CLI's own clients: the table, the work queue and
 * the gateway's Merchant API.
 */
export const reconcileCommand: Command = {
  name: 'reconcile',
  summary: 'ask the gateway about an order now and record what it says',
  usage: `Usage: npm run payments -- reconcile <shopOrderId> [--json]

Asks the AltaPay gateway for the order's payments (payments by shop_orderid) and records what it says
as the scheduled reconciler does: through the same decision as a callback, as the gateway's own word,
with a 'reconciled' entry in the order's callback log. A change is queued for the worker, which
confirms it and tells the merchant. For a payment whose callback never came (the gateway could not
reach the API, or the customer's browser closed during 3-D Secure) when you cannot wait for the
reconciler's next run. The order must be recorded (its POST /payments made it); nothing at the gateway
changes nothing.

The gateway: on the local stack, its simulator. Elsewhere the CLI calls the Merchant API itself and
needs ALTAPAY_GATEWAY_URL, ALTAPAY_API_USERNAME and ALTAPAY_API_PASSWORD in its environment (the
deployment's gateway and the API user of its altapay-api secret); it cannot borrow the deployed
function's credentials. Without them, the scheduled reconciler asks within 5 minutes anyway.`,
  options: ['json'],
  async run({ target, args, options, out, note, now }: CommandContext) {
    const [shopOrderId, ...extra] = args;
    if (shopOrderId === undefined) throw new UsageError('missing <shopOrderId>', 'reconcile');
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`, 'reconcile');
    const gateway = gatewayOf(target);
    const store = new DynamoDbPaymentStore(target.dynamodb, await target.tableName());
    const before = await store.getPayment(shopOrderId);
    if (before === undefined) throw new CliError(unknownOrder(shopOrderId));
    const quiet = () => {};
    const say = (message: string, context: Record<string, unknown>) =>
      note(`${message} ${JSON.stringify(context)}`);
    const result = await reconcileOrder(
      {
        store,
        queue: new SqsWorkQueue(target.sqs, await target.queueUrl()),
        gateway,
        clock: { now },
        log: { debug: quiet, info: quiet, warn: say, error: quiet },
        newId: randomUUID,
      },
      shopOrderId,
    );
    if (result.outcome === 'failed') {
      throw new CliError(`Could not reconcile order ${shopOrderId}: ${result.error ?? 'unknown error'}`);
    }
    const status = result.payment?.status ?? before.status;
    if (options.json) {
      out(JSON.stringify({ shopOrderId, outcome: result.outcome, statusBefore: before.status, status }));
      return 0;
    }
    if (result.outcome === 'unknown') {
      out(`Order ${shopOrderId}: the gateway holds no payment for it. Nothing changed (status ${status}).`);
    } else if (result.outcome === 'unchanged') {
      out(
        `Order ${shopOrderId}: the gateway agrees with what is recorded. Nothing changed (status ${status}).`,
      );
    } else {
      out(`Order ${shopOrderId}: recorded what the gateway holds, status ${before.status} → ${status}.`);
      out('The worker confirms the change and tells the merchant.');
      out(`Follow it with: npm run payments -- show ${shopOrderId}`);
    }
    return 0;
  },
};

/** The environment's gateway when it names one, else the local stack's simulator; refuses otherwise. */
function gatewayOf(target: Target): PaymentGateway {
  const env = process.env;
  const named = gatewayVariables.filter((name) => env[name]);
  if (named.length === gatewayVariables.length) {
    const baseUrl = URL.canParse(env.ALTAPAY_GATEWAY_URL ?? '')
      ? new URL(env.ALTAPAY_GATEWAY_URL ?? '')
      : undefined;
    if (baseUrl === undefined)
      throw new CliError('ALTAPAY_GATEWAY_URL must be a URL such as https://testgateway.altapaysecure.com');
    return new AltaPayMerchantApi({
      baseUrl,
      username: env.ALTAPAY_API_USERNAME ?? '',
      password: env.ALTAPAY_API_PASSWORD ?? '',
      timeoutMs: 8_000,
    });
  }
  if (named.length === 0 && target.altapayGatewayUrl !== undefined) {
    return new AltaPayMerchantApi({
      baseUrl: new URL(target.altapayGatewayUrl),
      username: env.ALTAPAY_API_USERNAME || localGatewayCredentials.username,
      password: env.ALTAPAY_API_PASSWORD || localGatewayCredentials.password,
      timeoutMs: 8_000,
    });
  }
  const missing = gatewayVariables.filter((name) => !env[name]);
  throw new CliError(
    `reconcile asks the gateway itself and does not know it here: set ${missing.join(', ')} ` +
      "(the deployment's gateway and the API user of its altapay-api secret), or leave it to the scheduled reconciler",
  );
}
