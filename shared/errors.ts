/**
 * Typed errors. Use cases throw these; `adapters/api-gateway.ts#errorResponse` is the one place that
 * turns them into HTTP answers. Only a ClientError's message ever reaches a caller.
 */

/** The request is wrong and retrying it unchanged will not help. Its message is shown to the caller. */
export class ClientError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422,
    /** Stable machine-readable reason, e.g. `checksum_mismatch`. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ClientError';
  }
}

export class PayloadTooLargeError extends ClientError {
  constructor(limitBytes: number, actualBytes: number) {
    super(
      413,
      'payload_too_large',
      `Request body is ${actualBytes} bytes; the limit is ${limitBytes} bytes.`,
    );
    this.name = 'PayloadTooLargeError';
  }
}

export class UnsupportedMediaTypeError extends ClientError {
  constructor(expected: string, actual: string | undefined) {
    super(
      415,
      'unsupported_media_type',
      `Content-Type must be ${expected}; got ${actual === undefined ? 'none' : JSON.stringify(actual)}.`,
    );
    this.name = 'UnsupportedMediaTypeError';
  }
}

/** The body or a field cannot be read or does not have the required shape. */
export class MalformedRequestError extends ClientError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(400, code, message, options);
    this.name = 'MalformedRequestError';
  }
}

/** The callback is not provably from the gateway (checksum missing or wrong). */
export class ForgedCallbackError extends ClientError {
  constructor(code: 'checksum_missing' | 'checksum_mismatch', message: string) {
    super(403, code, message);
    this.name = 'ForgedCallbackError';
  }
}

export class NotFoundError extends ClientError {
  constructor(message: string) {
    super(404, 'not_found', message);
    this.name = 'NotFoundError';
  }
}

/**
 * A dependency (table, queue, gateway) failed. Mapped to 503: every write we make is idempotent, so
 * the caller (the gateway) may safely retry.
 */
export class DependencyError extends Error {
  constructor(
    readonly dependency: 'payments-table' | 'work-queue' | 'gateway' | 'event-bus',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DependencyError';
  }
}

/** The request contradicts what is recorded (an order already paid, a different amount). */
export class ConflictError extends ClientError {
  constructor(code: string, message: string) {
    super(409, code, message);
    this.name = 'ConflictError';
  }
}

/** The request is well-formed but asks for what cannot be done (more money than is left, a reused key). */
export class UnprocessableRequestError extends ClientError {
  constructor(code: string, message: string) {
    super(422, code, message);
    this.name = 'UnprocessableRequestError';
  }
}

/**
 * The payment gateway failed or refused us. Mapped to 502 with this message, which names the cause
 * (timeout, credentials, the gateway's own error text) so the shop can log it; it never holds secrets.
 */
export class GatewayError extends Error {
  /**
   * True when a money-moving call (capture, refund, release, charge) may have happened although its answer
   * was lost (a timeout, a connection dropped after sending, a 5xx or unreadable answer): look at the
   * transaction before trying again, or the money may move twice.
   */
  readonly outcomeUnknown: boolean;

  constructor(
    readonly reason: 'timeout' | 'unreachable' | 'unauthorized' | 'http_error' | 'rejected' | 'bad_answer',
    message: string,
    options?: { cause?: unknown; outcomeUnknown?: boolean },
  ) {
    super(message, options);
    this.name = 'GatewayError';
    this.outcomeUnknown = options?.outcomeUnknown ?? false;
  }
}

/**
 * A payment kept changing under an optimistic update: every attempt met another writer's newer
 * version. Retryable like any dependency failure (503): the contention passes.
 */
export class ContendedPaymentError extends DependencyError {
  constructor(
    readonly shopOrderId: string,
    readonly attempts: number,
  ) {
    super('payments-table', `Payment ${shopOrderId} kept changing under us (${attempts} attempts); retry.`);
    this.name = 'ContendedPaymentError';
  }
}

/**
 * The table refused a write because the payment's item would pass DynamoDB's 400 KB limit. Retrying
 * never helps, so the worker parks the message at once (with this reason) instead of retrying it; a
 * callback that meets it is queued like any table failure, so it is kept and reaches the dead-letter
 * queue, visible to an operator, rather than being lost.
 */
export class ItemTooLargeError extends DependencyError {
  /** `why`: what limit it meets, when not DynamoDB's own (our cap on an order's transactions). */
  constructor(what: string, options?: { cause?: unknown; why?: string }) {
    super(
      'payments-table',
      `Could not ${what}: ${options?.why ?? "the payment's item would exceed DynamoDB's 400 KB item limit"}.`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'ItemTooLargeError';
  }
}

/**
 * The merchant's webhook endpoint gave no HTTP answer. The message is only the cause, in an
 * operator's words ("connection refused (ECONNREFUSED)", "timed out after 5000 ms"), because it is
 * recorded as is on the delivery attempt; an HTTP status is an answer, never this error.
 */
export class WebhookDeliveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebhookDeliveryError';
  }
}
