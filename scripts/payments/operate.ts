/**
 * `capture`, `refund`, `release`, `charge <shopOrderId>`: the merchant's operations, through the payments API
 * (POST /payments/{shopOrderId}/captures, /refunds, /releases, /charges) exactly as the merchant's back end
 * calls it, so the CLI gets the same checks, the same once-per-key guarantee and the same event.
 */
import { randomUUID } from 'node:crypto';
import { PaymentsApiError } from '../../client/errors';
import type { OperationAnswer, PaymentsClient } from '../../client/payments-client';
import type { OperationKind } from '../../shared/operations/operation-kind';
import { paymentsClientFor } from './api-client';
import type { Command, CommandContext } from './command';
import { CliError, UsageError } from './errors';

const routes: Readonly<Record<OperationKind, string>> = {
  capture: 'captures',
  refund: 'refunds',
  release: 'releases',
  charge: 'charges',
};

const done: Readonly<Record<OperationKind, string>> = {
  capture: 'Captured',
  refund: 'Refunded',
  release: 'Released',
  charge: 'Charged',
};

function operationCommand(kind: Exclude<OperationKind, 'charge'>, summary: string, details: string): Command {
  const money = kind !== 'release';
  return {
    name: kind,
    summary,
    usage: `Usage: npm run payments -- ${kind} <shopOrderId>${money ? ' [--amount 10.00]' : ''} [--yes] [--key <key>] [--transaction <id>]

${details}

Goes through the payments API (POST /payments/<shopOrderId>/${routes[kind]}): on the local stack
directly, on a deployed one (--api <url>, the ApiUrl output) signed with your AWS credentials, which
need execute-api:Invoke on that route.
${money ? '\n  --amount <amount>     how much, such as 10.00; all that is left when absent' : ''}
  --yes                 do it without asking (scripts); on a terminal you are asked y/N
  --key <key>           the Idempotency-Key to send: the one printed by an earlier run, to retry
                        that same request (it is never done twice); a new key per run otherwise
  --transaction <id>    which transaction, when the order has several holding money
  --json                the API's answer as JSON`,
    options: ['json', 'yes', 'key', 'transaction', ...(money ? (['amount'] as const) : [])],
    run: (context) => operate(kind, context),
  };
}

async function operate(kind: OperationKind, context: CommandContext): Promise<number> {
  const { args, options, target, out, note } = context;
  const [shopOrderId, ...extra] = args;
  if (shopOrderId === undefined) throw new UsageError('missing <shopOrderId>', kind);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`, kind);
  if (kind === 'charge' && options.amount === undefined) {
    throw new UsageError('missing --amount: how much to charge, such as 49.00', kind);
  }
  const what = `${kind} ${options.amount ?? (kind === 'release' ? 'the reservation' : 'all that is left')} of order ${shopOrderId} on ${target.description}`;
  if (!options.yes) {
    if (context.confirm === undefined) {
      throw new UsageError(`not on a terminal, so nobody can confirm: pass --yes to ${what}`, kind);
    }
    if (!(await context.confirm(`${what[0]?.toUpperCase()}${what.slice(1)}?`))) {
      note('Nothing done.');
      return 1;
    }
  }
  const key = options.key ?? randomUUID();
  note(`Idempotency-Key ${key} (to retry this same request: --key ${key})`);
  const client = await paymentsClientFor(target);
  let answer: OperationAnswer;
  try {
    answer = await send(client, kind, shopOrderId, {
      idempotencyKey: key,
      ...(options.amount === undefined ? {} : { amount: options.amount }),
      ...(options.transaction === undefined ? {} : { transactionId: options.transaction }),
      ...(options.reserve ? { reserveOnly: true } : {}),
    });
  } catch (error) {
    if (!(error instanceof PaymentsApiError)) throw error;
    if (options.json) out(JSON.stringify(error.body, null, 2));
    const retry = error.status === 503 ? ` Retry with --key ${key}.` : '';
    throw new CliError(`${kind} refused (HTTP ${error.status}): ${error.message}${retry}`);
  }
  if (options.json) {
    const { replayed: _, ...body } = answer;
    out(JSON.stringify(body, null, 2));
  }
  if (!options.json) {
    const p: Partial<NonNullable<OperationAnswer['payment']>> = answer.payment ?? {};
    const amount = [answer.operation?.amount ?? '?', p.currency].filter(Boolean).join(' ');
    const charged = answer.operation?.chargedTransactionId;
    if (kind === 'charge') {
      out(
        `${options.reserve ? 'Reserved' : 'Charged'} ${amount} on the subscription agreement ${answer.operation?.transactionId ?? '?'} of order ${shopOrderId}: ` +
          `new transaction ${charged ?? '?'}; payment ${p.status ?? '?'}, captured ${p.capturedAmount ?? '?'} in all`,
      );
      return 0;
    }
    out(
      `${done[kind]} ${amount} of order ${shopOrderId} (transaction ${answer.operation?.transactionId ?? '?'}): ` +
        `payment ${p.status ?? '?'}, reserved ${p.reservedAmount ?? '?'}, captured ${p.capturedAmount ?? '?'}, refunded ${p.refundedAmount ?? '?'}`,
    );
  }
  return 0;
}

/** The CLI's options as the client's request; the API checks which fields each kind takes. */
function send(
  client: PaymentsClient,
  kind: OperationKind,
  shopOrderId: string,
  request: {
    idempotencyKey: string;
    amount?: string;
    transactionId?: string;
    reserveOnly?: boolean;
  },
): Promise<OperationAnswer> {
  const { amount, transactionId, reserveOnly, idempotencyKey } = request;
  const which = transactionId === undefined ? {} : { transactionId };
  if (kind === 'release') return client.release(shopOrderId, { idempotencyKey, ...which });
  if (kind === 'charge') {
    return client.chargeSubscription(shopOrderId, {
      idempotencyKey,
      amount: amount ?? '',
      ...(reserveOnly === undefined ? {} : { reserveOnly }),
    });
  }
  const money = { idempotencyKey, ...(amount === undefined ? {} : { amount }), ...which };
  return kind === 'capture' ? client.capture(shopOrderId, money) : client.refund(shopOrderId, money);
}

export const captureCommand = operationCommand(
  'capture',
  'capture a reservation, or part of it (--amount)',
  "Captures what is left of the order's reservation, or --amount of it; partial captures may follow.",
);
export const refundCommand = operationCommand(
  'refund',
  'refund what is captured, or part of it (--amount)',
  'Gives back what is captured and not yet refunded, or --amount of it.',
);
export const releaseCommand = operationCommand(
  'release',
  'release a reservation nothing was captured from',
  'Lets the whole reservation go; refused once anything is captured (refund instead).',
);

export const chargeCommand: Command = {
  name: 'charge',
  summary: "charge an amount on the order's subscription agreement (--amount)",
  usage: `Usage: npm run payments -- charge <shopOrderId> --amount 49.00 [--reserve] [--yes] [--key <key>]

Charges --amount on the order's active subscription agreement (chargeSubscription); each charge is
a new transaction of the order, with its own event (payment.subscription_charged). With
--reserve the amount is reserved (reserveSubscriptionCharge) and captured later (capture).

Goes through the payments API (POST /payments/<shopOrderId>/charges): on the local stack
directly, on a deployed one (--api <url>, the ApiUrl output) signed with your AWS credentials, which
need execute-api:Invoke on that route.

  --amount <amount>     how much, such as 49.00 (required)
  --reserve        reserve it on the card instead of charging it
  --yes                 do it without asking (scripts); on a terminal you are asked y/N
  --key <key>           the Idempotency-Key to send: the one printed by an earlier run, to retry
                        that same request (it is never done twice); a new key per run otherwise
  --json                the API's answer as JSON`,
  options: ['json', 'yes', 'key', 'amount', 'reserve'],
  run: (context) => operate('charge', context),
};
