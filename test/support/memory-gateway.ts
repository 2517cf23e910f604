import type { GatewayTransaction } from '../../shared/altapay/api-response';
import { parseApiResponse } from '../../shared/altapay/api-response';
import { GatewayError } from '../../shared/errors';
import { toMinorUnits } from '../../shared/payments/money';
import type { OperationResult, OrderLine, PaymentGateway, PaymentRequestInput } from '../../shared/ports';
import { transactionXml } from './gateway';

/** What the fake holds of one transaction; amounts in minor units of a two-decimal currency. */
interface HeldTransaction {
  readonly transactionId: string;
  readonly shopOrderId: string;
  readonly authType: string;
  status: string;
  reserved: bigint;
  captured: bigint;
  refunded: bigint;
  /** Bumped on every change, so UpdatedDate moves on as the gateway's does. */
  changes: number;
}

/** One call the fake answered (or lost), for tests that count what reached the gateway. */
export interface GatewayCall {
  readonly method: string;
  readonly transactionId?: string;
  readonly shopOrderId?: string;
  readonly amount?: string;
  readonly orderLines?: readonly OrderLine[];
}

type Method =
  | 'captureReservation'
  | 'refundCapturedReservation'
  | 'releaseReservation'
  | 'chargeSubscription'
  | 'payments';

/**
 * A PaymentGateway in memory with the gateway's rules for money (test/contract/payment-gateway.contract.ts
 * holds it to the same answers as the simulator): partial and repeated captures up to what is
 * reserved, refunds up to what is captured, a release only while nothing is captured, refusals as
 * `Result` Error with a reason and the transaction. For unit tests of what stands on the port, with
 * faults on demand: `loseNextAnswer` lets a call happen and then throws as a timeout would.
 * Amounts are DKK (two decimals).
 */
export class MemoryGateway implements PaymentGateway {
  readonly calls: GatewayCall[] = [];
  private readonly held = new Map<string, HeldTransaction>();
  private readonly faults: { method: Method; kind: 'lose-answer' | 'unreachable' }[] = [];
  private nextId = 90_000_000;

  /** A reservation of `amount` for the order, as a customer's payment leaves it; its transaction id. */
  reserve(shopOrderId: string, amount: string): string {
    const transactionId = String(this.nextId++);
    this.held.set(transactionId, {
      transactionId,
      shopOrderId,
      authType: 'payment',
      status: 'preauth',
      reserved: minor(amount) ?? 0n,
      captured: 0n,
      refunded: 0n,
      changes: 0,
    });
    return transactionId;
  }

  /** A subscription agreement for the order, as a customer's sign-up leaves it; its transaction id. */
  agree(shopOrderId: string): string {
    const transactionId = String(this.nextId++);
    this.held.set(transactionId, {
      transactionId,
      shopOrderId,
      authType: 'subscription',
      status: 'recurring_confirmed',
      reserved: 0n,
      captured: 0n,
      refunded: 0n,
      changes: 0,
    });
    return transactionId;
  }

  /** The next call of `method` happens, but its answer never comes back (a timeout, outcome unknown). */
  loseNextAnswer(method: Method): void {
    this.faults.push({ method, kind: 'lose-answer' });
  }

  /** The next call of `method` never reaches the gateway (the connection was refused). */
  failNext(method: Method): void {
    this.faults.push({ method, kind: 'unreachable' });
  }

  async createPaymentRequest(input: PaymentRequestInput): Promise<{ paymentRequestId: string; url: string }> {
    this.calls.push({ method: 'createPaymentRequest', shopOrderId: input.shopOrderId, amount: input.amount });
    const id = `pr-${this.calls.length}`;
    return { paymentRequestId: id, url: `https://gateway.example/pay?pid=${id}` };
  }

  async transactions(transactionId: string): Promise<readonly GatewayTransaction[]> {
    this.calls.push({ method: 'payments', transactionId });
    this.fault('payments', () => undefined);
    const held = this.held.get(transactionId);
    return held === undefined ? [] : [view(held)];
  }

  async transactionsOfOrder(shopOrderId: string): Promise<readonly GatewayTransaction[]> {
    this.calls.push({ method: 'payments', shopOrderId });
    this.fault('payments', () => undefined);
    return [...this.held.values()].filter((t) => t.shopOrderId === shopOrderId).map(view);
  }

  async captureReservation(
    transactionId: string,
    amount: string,
    orderLines?: readonly OrderLine[],
  ): Promise<OperationResult> {
    this.calls.push({ method: 'captureReservation', transactionId, amount, ...lines(orderLines) });
    return this.operate('captureReservation', transactionId, (t) => {
      if (!['preauth', 'captured', 'refunded'].includes(t.status))
        return `Transaction in status ${t.status} cannot be captured`;
      const left = t.reserved - t.captured;
      const wanted = minor(amount);
      if (wanted === undefined) return `Invalid amount '${amount}'`;
      if (wanted <= 0n) return 'You can not capture an amount less than or equal to 0';
      if (wanted > left)
        return `The capture amount ${format(wanted)} is greater than the remaining reserved amount ${format(left)}`;
      t.captured += wanted;
      t.status = 'captured';
      return undefined;
    });
  }

  async refundCapturedReservation(
    transactionId: string,
    amount: string,
    orderLines?: readonly OrderLine[],
  ): Promise<OperationResult> {
    this.calls.push({ method: 'refundCapturedReservation', transactionId, amount, ...lines(orderLines) });
    return this.operate('refundCapturedReservation', transactionId, (t) => {
      const left = t.captured - t.refunded;
      if (left <= 0n) return 'There is no captured amount to refund';
      const wanted = minor(amount);
      if (wanted === undefined) return `Invalid amount '${amount}'`;
      if (wanted <= 0n) return 'You can not refund an amount less than or equal to 0';
      if (wanted > left)
        return `The refund amount ${format(wanted)} is greater than the captured amount not yet refunded ${format(left)}`;
      t.refunded += wanted;
      t.status = 'refunded';
      return undefined;
    });
  }

  async releaseReservation(transactionId: string): Promise<OperationResult> {
    this.calls.push({ method: 'releaseReservation', transactionId });
    return this.operate('releaseReservation', transactionId, (t) => {
      if (t.status !== 'preauth' || t.captured > 0n)
        return `Transaction in status ${t.status} cannot be released`;
      t.status = 'released';
      return undefined;
    });
  }

  async chargeSubscription(
    agreementId: string,
    amount: string,
    options: { readonly reserveOnly: boolean },
  ): Promise<OperationResult> {
    this.calls.push({ method: 'chargeSubscription', transactionId: agreementId, amount });
    let charge: HeldTransaction | undefined;
    const answer = this.operate('chargeSubscription', agreementId, (t) => {
      if (t.status !== 'recurring_confirmed')
        return `Transaction ${t.transactionId} is no active subscription (status ${t.status})`;
      const wanted = minor(amount);
      if (wanted === undefined) return `Invalid amount '${amount}'`;
      if (wanted <= 0n) return 'The amount must be greater than 0';
      charge = {
        transactionId: String(this.nextId++),
        shopOrderId: t.shopOrderId,
        authType: 'subscription_payment',
        status: options.reserveOnly ? 'preauth' : 'captured',
        reserved: wanted,
        captured: options.reserveOnly ? 0n : wanted,
        refunded: 0n,
        changes: 0,
      };
      this.held.set(charge.transactionId, charge);
      return undefined;
    });
    return charge === undefined
      ? answer
      : { ...answer, transactions: [...answer.transactions, view(charge)] };
  }

  /** Applies `change` (which answers a refusal reason, or undefined once it changed the transaction). */
  private operate(
    method: Method,
    transactionId: string,
    change: (t: HeldTransaction) => string | undefined,
  ): OperationResult {
    let answer: OperationResult | undefined;
    this.fault(method, () => {
      answer = this.apply(transactionId, change);
    });
    return answer ?? this.apply(transactionId, change);
  }

  private apply(transactionId: string, change: (t: HeldTransaction) => string | undefined): OperationResult {
    const held = this.held.get(transactionId);
    if (held === undefined) {
      const reason = `No transaction with transaction_id ${transactionId}`;
      return { result: 'Error', merchantErrorMessage: reason, transactions: [] };
    }
    const refusal = change(held);
    if (refusal !== undefined)
      return { result: 'Error', merchantErrorMessage: refusal, transactions: [view(held)] };
    held.changes += 1;
    return { result: 'Success', transactions: [view(held)] };
  }

  /** Throws the pending fault for `method`, if any; a lost answer first lets the call happen. */
  private fault(method: Method, happen: () => void): void {
    const index = this.faults.findIndex((f) => f.method === method);
    if (index === -1) return;
    const [fault] = this.faults.splice(index, 1);
    const moving = method !== 'payments';
    if (fault?.kind === 'unreachable') {
      throw new GatewayError(
        'unreachable',
        `AltaPay could not be reached for ${method}: connection refused (ECONNREFUSED).`,
      );
    }
    happen();
    throw new GatewayError('timeout', `AltaPay did not answer ${method} within 1000 ms.`, {
      outcomeUnknown: moving,
    });
  }
}

function view(t: HeldTransaction): GatewayTransaction {
  const updated = new Date(Date.UTC(2026, 10, 20, 10, 0, t.changes))
    .toISOString()
    .replace('T', ' ')
    .slice(0, 19);
  const [transaction] = parseApiResponse(
    transactionXml({
      shopOrderId: t.shopOrderId,
      transactionId: t.transactionId,
      status: t.status,
      reserved: format(t.reserved),
      captured: format(t.captured),
      refunded: format(t.refunded),
      authType: t.authType,
      updated,
    }),
  ).transactions;
  if (transaction === undefined) throw new Error('transactionXml made no transaction');
  return transaction;
}

function lines(orderLines: readonly OrderLine[] | undefined): { orderLines?: readonly OrderLine[] } {
  return orderLines === undefined ? {} : { orderLines };
}

/** Minor units of a dot-decimal amount with at most two decimals, as the gateway accepts them. */
function minor(amount: string): bigint | undefined {
  return /^(0|[1-9]\d*)(\.\d{1,2})?$/.test(amount) ? toMinorUnits(amount, 2) : undefined;
}

function format(value: bigint): string {
  const digits = value.toString().padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
