/**
 * What the local stack and a bundled function's worker process (invoke-worker.ts) say to each other,
 * one JSON message at a time over the worker's IPC channel. Types only: the worker runs on the Lambda
 * runtime's Node without this repository's loader, so it imports nothing from here at run time.
 */

/** The serialisable part of a Lambda `Context`; the worker rebuilds `getRemainingTimeInMillis` from `deadline`. */
export interface WireContext {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly callbackWaitsForEmptyEventLoop: boolean;
  /** When the invocation times out, in epoch milliseconds. */
  readonly deadline: number;
}

/** An error as Lambda reports it: `errorType`, `errorMessage` and the stack. */
export interface WireError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stack?: string;
}

/** Parent to worker. */
export interface InvokeMessage {
  readonly type: 'invoke';
  readonly id: number;
  readonly event: unknown;
  readonly context: WireContext;
}

/** Worker to parent: the module loaded (the cold start's init ran), or it did not. */
export type InitMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'init-error'; readonly error: WireError };

/** Worker to parent: one invocation's outcome. */
export type OutcomeMessage =
  | { readonly type: 'result'; readonly id: number; readonly result: unknown }
  | { readonly type: 'error'; readonly id: number; readonly error: WireError };

export type WorkerMessage = InitMessage | OutcomeMessage;
