import type { OperationView } from '../shared/operations/operation-answer';

/**
 * What can go wrong calling the payments API, told apart so a back end can act: the API answered
 * with a refusal (PaymentsApiError, with the API's own code and message), or no answer came at all
 * (PaymentsNetworkError: the request may or may not have arrived, so retry with the same key).
 */

/** The API answered, but not with success. `code` is the API's `error` field (e.g. `not_found`). */
export class PaymentsApiError extends Error {
  override readonly name = 'PaymentsApiError';

  constructor(
    readonly status: number,
    /** The API's `error` code; API Gateway's own refusals (IAM, throttling) carry its error type instead. */
    readonly code: string,
    message: string,
    /** The answer's body as sent (parsed JSON, or the text when it was not JSON). */
    readonly body: unknown,
  ) {
    super(message);
  }

  /**
   * 503 `outcome_unknown`: the gateway's answer was lost and it does not show the change yet. The
   * same request with the same Idempotency-Key is safe: it is never done twice.
   */
  get retryWithSameKey(): boolean {
    return this.status === 503 && this.code === 'outcome_unknown';
  }

  /** The operation as recorded, on a 502 (the gateway refused) or 503 (outcome unknown). */
  get operation(): OperationView['operation'] | undefined {
    return isRecord(this.body) && isRecord(this.body.operation)
      ? (this.body.operation as OperationView['operation'])
      : undefined;
  }
}

/** No answer: the API could not be reached, the connection broke, or the timeout passed. */
export class PaymentsNetworkError extends Error {
  override readonly name = 'PaymentsNetworkError';
}

/** The client was set up without what a call needs (the shop key, a region). */
export class PaymentsClientConfigError extends Error {
  override readonly name = 'PaymentsClientConfigError';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
