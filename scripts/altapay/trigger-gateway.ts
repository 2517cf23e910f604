/**
 * `trigger <pay|decline|refund|chargeback> --order <id> [--gateway <simulator url>]`: asks the gateway
 * simulator's control API to act on a payment it knows, as the customer or the gateway itself would.
 * The simulator changes its ledger and posts the real callback, so a handler that then asks the gateway
 * (our worker does) finds it confirmed.
 */
import { orderActions } from '../../local/altapay-simulator/control-actions';
import { isHttpUrl, UsageError } from './usage-error';

/** Where npm start's simulator listens (ALTAPAY_SIMULATOR_PORT defaults to 3001). */
export const defaultGatewayUrl = 'http://127.0.0.1:3001';

/** The actions this form takes: the control API's. */
export const gatewayTriggers: readonly string[] = orderActions;

export interface GatewayTriggerOptions {
  readonly order: string | undefined;
  /** The simulator's base URL; default $ALTAPAY_GATEWAY_URL, else npm start's. */
  readonly gateway: string | undefined;
  readonly amount: string | undefined;
}

/** What the control API answers for an action (local/altapay-simulator/control-actions.ts). */
interface ActionAnswer {
  readonly transactionId?: string;
  readonly status?: string;
  readonly callback?: { readonly type: string; readonly status: number | null; readonly failure?: string };
  readonly customer?: { readonly status: number; readonly location?: string };
  readonly error?: string;
}

/** Acts through the simulator; resolves with the exit code (0 when it acted and the shop answered 2xx/3xx). */
export async function triggerThroughGateway(action: string, options: GatewayTriggerOptions): Promise<number> {
  const order = options.order;
  if (order === undefined || order === '') throw new UsageError('--order is required');
  const gateway = (options.gateway ?? (process.env.ALTAPAY_GATEWAY_URL || defaultGatewayUrl)).replace(
    /\/+$/,
    '',
  );
  if (!isHttpUrl(gateway)) {
    throw new UsageError(
      `--gateway must be the simulator's http URL such as ${defaultGatewayUrl}, not '${gateway}'`,
    );
  }
  const amount = options.amount;
  if (amount !== undefined) {
    if (action !== 'refund' && action !== 'chargeback') {
      throw new UsageError(
        `--amount applies to refund and chargeback only; ${action} takes the payment request's amount`,
      );
    }
    if (!/^\d{1,12}(\.\d{1,3})?$/.test(amount)) {
      throw new UsageError(`--amount must look like 100.00: digits, a dot and the decimals, not '${amount}'`);
    }
  }

  const target = `${gateway}/control/orders/${encodeURIComponent(order)}/${action}`;
  console.log(`POST ${target}${amount === undefined ? '' : ` {"amount": "${amount}"}`}`);
  let response: Response;
  try {
    response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(amount === undefined ? {} : { amount }),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    const reason =
      error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    console.error(
      `altapay: no gateway simulator answers at ${gateway} (${reason}): start one (npm start, or npm run altapay -- gateway) or pass --gateway`,
    );
    return 1;
  }
  const text = await response.text();
  let answer: ActionAnswer;
  try {
    answer = JSON.parse(text) as ActionAnswer;
  } catch {
    console.error(
      `altapay: ${gateway} answered HTTP ${response.status} without JSON: is it the gateway simulator?`,
    );
    return 1;
  }
  if (response.status !== 200) {
    console.error(
      `altapay: the simulator did not ${action} order ${order}: ${answer.error ?? `HTTP ${response.status}`}`,
    );
    return 1;
  }
  console.log(`\nThe gateway: transaction ${answer.transactionId} of order ${order} is now ${answer.status}`);
  if (answer.customer !== undefined) {
    const { status, location } = answer.customer;
    console.log(`The customer's browser got HTTP ${status}${location === undefined ? '' : ` → ${location}`}`);
  }
  const callback = answer.callback;
  if (callback === undefined) {
    console.log('The shop: no callback (the payment request configured no URL for it)');
    return 0;
  }
  if (callback.status === null) {
    console.log(`The shop: callback_${callback.type} got no answer (${callback.failure ?? 'no answer'})`);
    return 1;
  }
  console.log(`The shop: callback_${callback.type} answered HTTP ${callback.status}`);
  return callback.status >= 200 && callback.status < 400 ? 0 : 1;
}
