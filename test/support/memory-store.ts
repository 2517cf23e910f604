import { DependencyError } from '../../shared/errors';
import type { OperationRecord } from '../../shared/operations/operation-record';
import {
  type CallbackLogEntry,
  callbackLogLimit,
  callbackLogMaxEntries,
  callbackLogShown,
} from '../../shared/payments/callback-log';
import type { Payment, PaymentStatus, PaymentWork } from '../../shared/payments/payment';
import type {
  PaymentChanges,
  PaymentHistory,
  PaymentStore,
  SealedCallback,
  WorkQueue,
  WriteOutcome,
} from '../../shared/ports';
import type { WorkRecord } from '../../shared/worker/work-record';

/**
 * An in-memory PaymentStore with the DynamoDB adapter's semantics (version check, outbox, callback log,
 * failures as DependencyErrors), for use-case tests that inject faults. The contract suite
 * (test/contract) holds it to the same specs as the real adapter on dynalite.
 */
export class MemoryPaymentStore implements PaymentStore {
  readonly payments = new Map<string, Payment>();
  readonly pendingWork = new Map<string, PaymentWork>();
  /** Every order's callback log, in the order written. */
  readonly callbackLog: CallbackLogEntry[] = [];
  readonly callbacksNotLogged = new Map<string, number>();
  /** Set to make every call fail, as an unreachable table would. */
  failing = false;
  /** Calls that still succeed before the table goes down (a fault in the middle of a callback). */
  callsUntilDown = Number.POSITIVE_INFINITY;

  private check(): void {
    if (this.callsUntilDown <= 0) this.failing = true;
    this.callsUntilDown--;
    if (this.failing) {
      throw new DependencyError('payments-table', 'Could not reach the table.', {
        cause: new Error('connect ECONNREFUSED 127.0.0.1:8000'),
      });
    }
  }

  async getPayment(shopOrderId: string): Promise<Payment | undefined> {
    this.check();
    return this.payments.get(shopOrderId);
  }

  async savePayment(
    next: Payment,
    expectedVersion: number | undefined,
    changes: PaymentChanges = {},
  ): Promise<WriteOutcome> {
    this.check();
    if (this.payments.get(next.shopOrderId)?.version !== expectedVersion) return 'conflict';
    this.payments.set(next.shopOrderId, next);
    if (changes.work) this.pendingWork.set(changes.work.workId, changes.work);
    const { logEntry } = changes;
    if (logEntry && this.logOf(next.shopOrderId).length < callbackLogMaxEntries)
      this.callbackLog.push(logEntry);
    else if (logEntry) this.countNotLogged(next.shopOrderId);
    return 'saved';
  }

  async logCallback(entry: CallbackLogEntry): Promise<void> {
    this.check();
    const { shopOrderId } = entry;
    if (!this.payments.has(shopOrderId)) return;
    if (this.logOf(shopOrderId).length < callbackLogLimit) this.callbackLog.push(entry);
    else this.countNotLogged(shopOrderId);
  }

  private logOf(shopOrderId: string): CallbackLogEntry[] {
    return this.callbackLog.filter((e) => e.shopOrderId === shopOrderId);
  }

  private countNotLogged(shopOrderId: string): void {
    this.callbacksNotLogged.set(shopOrderId, (this.callbacksNotLogged.get(shopOrderId) ?? 0) + 1);
  }

  async markWorkQueued(work: PaymentWork): Promise<void> {
    this.check();
    this.pendingWork.delete(work.workId);
  }

  readonly workRecords = new Map<string, WorkRecord>();

  async getWorkRecord(_shopOrderId: string, workId: string): Promise<WorkRecord | undefined> {
    this.check();
    return this.workRecords.get(workId);
  }

  async saveWorkRecord(record: WorkRecord, expectedRevision: number | undefined): Promise<WriteOutcome> {
    this.check();
    if (this.workRecords.get(record.workId)?.revision !== expectedRevision) return 'conflict';
    this.workRecords.set(record.workId, record);
    return 'saved';
  }

  async listPendingWork(before: string, limit: number): Promise<readonly PaymentWork[]> {
    this.check();
    return [...this.pendingWork.values()].filter((work) => work.createdAt < before).slice(0, limit);
  }

  /** Operation records by `<shopOrderId>|<Idempotency-Key>`. */
  readonly operations = new Map<string, OperationRecord>();

  async getOperation(shopOrderId: string, idempotencyKey: string): Promise<OperationRecord | undefined> {
    this.check();
    return this.operations.get(`${shopOrderId}|${idempotencyKey}`);
  }

  async saveOperation(record: OperationRecord, expectedRevision: number | undefined): Promise<WriteOutcome> {
    this.check();
    const key = `${record.shopOrderId}|${record.idempotencyKey}`;
    if (this.operations.get(key)?.revision !== expectedRevision) return 'conflict';
    this.operations.set(key, record);
    return 'saved';
  }

  async listPaymentsByStatus(
    status: PaymentStatus,
    updated: { readonly from: string; readonly to: string },
    limit: number,
  ): Promise<readonly Payment[]> {
    this.check();
    return [...this.payments.values()]
      .filter((p) => p.status === status && p.updatedAt >= updated.from && p.updatedAt <= updated.to)
      .sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : 0))
      .slice(0, limit);
  }

  async getPaymentHistory(shopOrderId: string): Promise<PaymentHistory | undefined> {
    this.check();
    const payment = this.payments.get(shopOrderId);
    return (
      payment && {
        payment,
        callbackLog: this.callbackLog.filter((e) => e.shopOrderId === shopOrderId).slice(-callbackLogShown),
        callbacksNotLogged: this.callbacksNotLogged.get(shopOrderId) ?? 0,
      }
    );
  }
}

/** A WorkQueue that keeps what it was given, or fails like an unreachable SQS. */
export class MemoryWorkQueue implements WorkQueue {
  readonly sent: PaymentWork[] = [];
  readonly callbacks: SealedCallback[] = [];
  failing = false;

  async enqueue(work: PaymentWork): Promise<void> {
    if (this.failing) {
      throw new DependencyError('work-queue', 'Could not reach the queue.', {
        cause: new Error('connect ECONNREFUSED 127.0.0.1:9324'),
      });
    }
    this.sent.push(work);
  }

  async enqueueCallback(callback: SealedCallback): Promise<void> {
    if (this.failing) {
      throw new DependencyError('work-queue', 'Could not reach the queue.', {
        cause: new Error('connect ECONNREFUSED 127.0.0.1:9324'),
      });
    }
    this.callbacks.push(callback);
  }
}
