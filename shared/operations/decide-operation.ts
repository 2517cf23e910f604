import { findCurrency } from '../altapay/currency';
import { ConflictError, MalformedRequestError, NotFoundError, UnprocessableRequestError } from '../errors';
import { agreementOf } from '../payments/agreement';
import { compareAmounts, subtractAmounts, toMinorUnits } from '../payments/money';
import type { Payment, TransactionState } from '../payments/payment';
import { holdsMoney } from '../payments/status-properties';
import type { OperationKind } from './operation-kind';
import type { OperationBody } from './operation-request';

/** What an allowed operation will ask the gateway to do. */
export interface AllowedOperation {
  readonly transaction: TransactionState;
  /** Exact decimal string; for a release, the whole reservation. */
  readonly amount: string;
}

/**
 * Whether the payment, as confirmed, allows the operation, and on which transaction for how much.
 * Refuses with 409 what the state does not allow and 422 an amount above what is left, the amounts in
 * the message. The gateway would refuse most of these too, but after a round trip and in its words.
 */
export function decideOperation(
  payment: Payment,
  kind: OperationKind,
  body: OperationBody,
): AllowedOperation {
  const order = payment.shopOrderId;
  if (payment.flags.includes('unconfirmed')) {
    throw new ConflictError(
      'payment_unconfirmed',
      `Payment ${order} is flagged unconfirmed: a callback claimed what the gateway did not confirm. Look at it (npm run payments -- show ${order}) before moving money.`,
    );
  }
  if (payment.flags.includes('amount-mismatch')) {
    throw new ConflictError(
      'payment_amount_mismatch',
      `Payment ${order} is flagged amount-mismatch: the gateway holds another amount than the shop asked for. Settle it in the AltaPay merchant interface after finding out how the amount changed.`,
    );
  }
  // The amounts below are a callback's word until the gateway confirms them, moments later.
  const claimed = Object.values(payment.transactions).find((t) => t.claim !== undefined);
  if (claimed !== undefined) {
    throw new ConflictError(
      'payment_awaits_confirmation',
      `Payment ${order} has a callback for transaction ${claimed.transactionId} the gateway has not confirmed yet. Try again in a few seconds.`,
    );
  }
  if (kind === 'charge') return decideCharge(payment, body);
  const transaction = chooseTransaction(payment, kind, body.transactionId);
  const { reservedAmount, capturedAmount, refundedAmount } = transaction;
  const id = transaction.transactionId;
  switch (kind) {
    case 'capture': {
      const left = subtractAmounts(reservedAmount, capturedAmount);
      if (compareAmounts(left, '0') <= 0) {
        throw new ConflictError(
          'nothing_to_capture',
          `Transaction ${id} has nothing left to capture: all ${reservedAmount} reserved is captured.`,
        );
      }
      return { transaction, amount: checkedAmount(payment, body.amount ?? left, left, 'capture') };
    }
    case 'refund': {
      const left = subtractAmounts(capturedAmount, refundedAmount);
      if (compareAmounts(left, '0') <= 0) {
        throw new ConflictError(
          'nothing_to_refund',
          `Transaction ${id} has nothing captured to refund (captured ${capturedAmount}, refunded ${refundedAmount}).`,
        );
      }
      return { transaction, amount: checkedAmount(payment, body.amount ?? left, left, 'refund') };
    }
    case 'release':
      if (compareAmounts(capturedAmount, '0') > 0 || transaction.phase !== 'reserved') {
        throw new ConflictError(
          'cannot_release',
          `Transaction ${id} cannot be released: ${capturedAmount} of it is captured (it is ${transaction.phase}); refund it instead.`,
        );
      }
      return { transaction, amount: reservedAmount };
  }
}

/** A charge goes on the order's active subscription agreement; 409 when it has none. */
function decideCharge(payment: Payment, body: OperationBody): AllowedOperation {
  const order = payment.shopOrderId;
  const agreement = agreementOf(payment);
  const transaction = agreement === undefined ? undefined : payment.transactions[agreement.transactionId];
  if (agreement === undefined || transaction === undefined || agreement.state !== 'active') {
    throw new ConflictError(
      'no_active_agreement',
      agreement === undefined
        ? `Order ${order} has no subscription agreement to charge: start it with a signed order of type subscription (or subscriptionAndCharge, subscriptionAndReserve).`
        : `Order ${order} has no active subscription agreement to charge: agreement ${agreement.transactionId} is ${agreement.state}.`,
    );
  }
  const amount = body.amount ?? '';
  checkDecimals(payment, amount);
  return { transaction, amount };
}

/**
 * The transaction to operate on: the one named, or the only one holding money. Transactions the gateway
 * did not confirm never count.
 */
function chooseTransaction(
  payment: Payment,
  kind: OperationKind,
  named: string | undefined,
): TransactionState {
  const order = payment.shopOrderId;
  const holding = Object.values(payment.transactions).filter(
    (t) => t.flag !== 'unconfirmed' && holdsMoney(t.phase),
  );
  if (named !== undefined) {
    const found = holding.find((t) => t.transactionId === named);
    if (found) return found;
    const other = payment.transactions[named];
    if (other === undefined) throw new NotFoundError(`Order ${order} has no transaction ${named}.`);
    throw new ConflictError(
      'transaction_holds_no_money',
      `Transaction ${named} of order ${order} holds no money to ${kind}: it is ${other.phase}.`,
    );
  }
  const [only, ...others] = holding;
  if (only === undefined) {
    throw new ConflictError(
      `nothing_to_${kind}`,
      `Payment ${order} is ${payment.status}: no transaction holds money to ${kind}.`,
    );
  }
  if (others.length > 0) {
    throw new ConflictError(
      'several_transactions',
      `Order ${order} has several transactions holding money (${holding.map((t) => t.transactionId).join(', ')}): name one in the field transactionId.`,
    );
  }
  return only;
}

function checkDecimals(payment: Payment, amount: string): void {
  const exponent = findCurrency(payment.currency ?? '')?.exponent;
  if (exponent !== undefined && toMinorUnits(amount, exponent) === undefined) {
    throw new MalformedRequestError(
      'invalid_field',
      `Field amount must not have more decimals than ${payment.currency} has (${exponent}).`,
    );
  }
}

function checkedAmount(payment: Payment, amount: string, left: string, kind: 'capture' | 'refund'): string {
  checkDecimals(payment, amount);
  if (compareAmounts(amount, left) > 0) {
    throw new UnprocessableRequestError(
      'amount_too_large',
      `Field amount ${amount} is more than the ${left} left to ${kind}.`,
    );
  }
  return amount;
}
