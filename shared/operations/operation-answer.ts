import type { OperationRecord } from './operation-record';

/** The operation as the API answers it (201, and with a 502 or 503): what was asked, what the gateway said. */
export function operationView(record: OperationRecord) {
  return {
    operation: {
      kind: record.kind,
      idempotencyKey: record.idempotencyKey,
      transactionId: record.transactionId,
      amount: record.amount,
      ...(record.chargedTransactionId === undefined
        ? {}
        : { chargedTransactionId: record.chargedTransactionId }),
      state: record.state,
      ...(record.result === undefined ? {} : { result: record.result }),
      ...(record.merchantErrorMessage === undefined
        ? {}
        : { merchantErrorMessage: record.merchantErrorMessage }),
      ...(record.detail === undefined ? {} : { detail: record.detail }),
      requestedBy: record.requestedBy,
      requestedAt: record.requestedAt,
    },
    ...(record.paymentAfter === undefined
      ? {}
      : { payment: { shopOrderId: record.shopOrderId, ...record.paymentAfter } }),
  };
}

/** The JSON body of that answer, for callers (the Node client) to read it typed. */
export type OperationView = ReturnType<typeof operationView>;
