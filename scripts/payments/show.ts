import { agreementOf } from '../../shared/payments/agreement';
import { transactionStateSchema } from '../../shared/payments/payment';
import type { Command } from './command';
import { CliError, UsageError } from './errors';
import { fields, none, table } from './format';
import { readOrder, type StoredOrder, type StoredTransaction, type StoredWorkRecord } from './records';

/** The one-line answer for an order the table does not know. */
export const unknownOrder = (shopOrderId: string) => `No payment is recorded for shop order ${shopOrderId}`;

/** `show <shopOrderId>`: the whole story of one order, as its partition holds it. */
export const showCommand: Command = {
  name: 'show',
  summary: 'a payment, its transactions, callbacks and work',
  usage: `Usage: npm run payments -- show <shopOrderId> [--json]

Shows everything recorded for one order: the payment (status, request, flags, version, times, work
not yet queued), its transactions as the gateway reported them (amounts, masked card number, and why
one failed: the gateway's messages for the customer and the merchant, its reason code), every
callback received (time, type, outcome) and the worker's records (the gateway's confirmation, the
capture, the merchant event and its deliveries), and the captures, refunds and releases asked for
(who, when, how much, the gateway's answer).

  --json   one JSON object: payment, transactions, callbackLog, work, operations`,
  options: ['json'],
  async run({ target, options, args, out }) {
    const [shopOrderId, ...extra] = args;
    if (shopOrderId === undefined) throw new UsageError('missing <shopOrderId>', 'show');
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`, 'show');
    const order = await readOrder(target, shopOrderId);
    if (order === undefined) throw new CliError(unknownOrder(shopOrderId));
    if (options.json) out(JSON.stringify(asJson(order), null, 2));
    else for (const line of render(order)) out(line);
    return 0;
  },
};

function asJson({ payment, transactions, callbackLog, work, operations }: StoredOrder) {
  // The log is `callbackLog` below.
  const { pendingWork, callbackLog: _, ...rest } = payment;
  return {
    payment: { ...rest, pendingWork: Object.values(pendingWork ?? {}).filter((w) => w !== undefined) },
    transactions,
    callbackLog,
    // The event body repeats the transactions above; its id and type are what an operator matches on.
    work: work.map(({ event, ...record }) => ({
      ...record,
      ...(event === undefined ? {} : { event: { eventId: event.eventId, type: event.type } }),
    })),
    operations,
  };
}

function render({ payment, transactions, callbackLog, work, operations }: StoredOrder): string[] {
  const request = payment.request;
  const pending = Object.values(payment.pendingWork ?? {}).filter((w) => w !== undefined);
  const lines = [
    `Payment ${payment.shopOrderId}`,
    ...fields([
      // Confirmed by the gateway; a transaction's pending claim shows in its `confirmed` column.
      ['status', payment.status],
      ['currency', payment.currency ?? none],
      [
        'requested',
        request === undefined
          ? none
          : `${request.amount} ${request.currency} at ${request.createdAt} (request ${request.paymentRequestId}${request.language ? `, language ${request.language}` : ''})`,
      ],
      ['flags', payment.flags?.join(', ') || none],
      ['agreement', agreementLine(transactions)],
      ['version', String(payment.version)],
      ['created', payment.createdAt],
      ['updated', payment.updatedAt],
      ['last callback', payment.lastCallbackAt ?? none],
      [
        'work not queued',
        pending.length === 0
          ? none
          : pending.map((w) => `${w.workId} (${w.status}, since ${w.createdAt})`).join('; '),
      ],
    ]),
    '',
  ];
  lines.push(`Transactions (${transactions.length})`);
  if (transactions.length > 0) {
    lines.push(
      ...table(
        [
          'id',
          'gateway status',
          'status',
          'confirmed',
          'reserved',
          'captured',
          'refunded',
          'card',
          'nature',
          'flag',
        ],
        transactions.map((t) => [
          t.transactionId,
          t.gatewayStatus,
          t.phase,
          // A pending claim: what the gateway last confirmed, and which callback claims the rest.
          t.claim === undefined
            ? 'yes'
            : `no: ${t.claim.callbackType ?? '?'} claim, gateway said ${t.claim.confirmedPhase ?? 'nothing yet'}`,
          t.reservedAmount,
          t.capturedAmount,
          t.refundedAmount,
          t.maskedPan ?? none,
          t.details?.paymentNature ?? none,
          t.flag ?? none,
        ]),
        '  ',
      ),
    );
    lines.push(...transactions.flatMap(renderWhy));
  }
  const notLogged = payment.callbacksNotLogged ?? 0;
  lines.push(
    '',
    `Callbacks received (${callbackLog.length + notLogged}${notLogged > 0 ? `: ${notLogged} more that changed nothing were counted, not logged` : ''})`,
  );
  if (callbackLog.length > 0) {
    lines.push(
      ...table(
        ['received', 'type', 'outcome', 'status after', 'result', 'transactions'],
        callbackLog.map((e) => [
          e.receivedAt,
          e.callbackType,
          e.outcome,
          e.statusAfter,
          e.result ?? none,
          e.transactionIds?.join(',') || none,
        ]),
        '  ',
      ),
    );
  }
  lines.push('', `Work (${work.length})`);
  for (const record of work) lines.push(...renderWork(record));
  if (operations.length > 0) {
    lines.push(
      '',
      `Operations (${operations.length})`,
      ...table(
        ['requested', 'kind', 'amount', 'transaction', 'state', 'result', 'by', 'idempotency key'],
        operations.map((o) => [
          o.requestedAt,
          o.kind,
          o.amount,
          o.transactionId,
          o.state,
          [o.result, o.merchantErrorMessage].filter(Boolean).join(': ') || none,
          o.requestedBy,
          o.idempotencyKey,
        ]),
        '  ',
      ),
    );
  }
  return lines;
}

/**
 * Why a transaction failed, as the gateway said it: its messages for the customer and the merchant
 * and its reason code. Nothing for a transaction without messages whose reason code says none.
 */
function renderWhy(t: StoredTransaction): string[] {
  const { reasonCode, customerErrorMessage, merchantErrorMessage } = t.details ?? {};
  const hasReason = reasonCode !== undefined && reasonCode.toUpperCase() !== 'NONE';
  if (customerErrorMessage === undefined && merchantErrorMessage === undefined && !hasReason) return [];
  return [
    `  ${t.transactionId} why:`,
    ...fields(
      [
        ['customer message', customerErrorMessage ?? none],
        ['merchant message', merchantErrorMessage ?? none],
        ['reason code', reasonCode ?? none],
      ],
      '    ',
    ),
  ];
}

function renderWork(w: StoredWorkRecord): string[] {
  const deliveries = w.deliveries ?? [];
  const last = deliveries.at(-1);
  const lastAttempt =
    last === undefined
      ? ''
      : `; last ${last.at}: ${last.status === undefined ? (last.error ?? 'no answer') : `HTTP ${last.status}`} in ${last.durationMs} ms`;
  return [
    `  ${w.workId}  (version ${w.version}, created ${w.createdAt})`,
    ...fields(
      [
        ['state', w.state],
        [
          'confirmation',
          w.confirmation === undefined
            ? 'not yet'
            : `${w.confirmation.confirmed ? 'confirmed' : 'NOT confirmed'}: ${w.confirmation.detail} (${w.confirmation.checkedAt})`,
        ],
        [
          'capture',
          w.capture === undefined
            ? none
            : `${w.capture.outcome} ${w.capture.amount} on ${w.capture.transactionId} (${w.capture.at})${w.capture.detail ? `: ${w.capture.detail}` : ''}`,
        ],
        ['event', w.event === undefined ? none : `${w.event.type} ${w.event.eventId}`],
        ['deliveries', `${deliveries.length}${lastAttempt}`],
        ['delivered', w.deliveredAt ?? none],
        ['last error', w.lastError ?? none],
      ],
      '    ',
    ),
  ];
}

/** The order's subscription agreement and its state, from the transactions that read in full. */
function agreementLine(transactions: readonly StoredTransaction[]): string {
  const readable = transactions.flatMap((t) => {
    const parsed = transactionStateSchema.safeParse(t);
    return parsed.success ? [[parsed.data.transactionId, parsed.data] as const] : [];
  });
  const agreement = agreementOf({ transactions: Object.fromEntries(readable) });
  return agreement === undefined ? none : `${agreement.transactionId} (${agreement.state})`;
}
