/**
 * The contract between `local/stack.ts` and each local service (the merchant endpoint, the gateway
 * simulator, the API, the event sources). Services find the emulated resources through `process.env`,
 * exactly like the handlers, which stack.ts fills in before any service starts.
 */
export interface RunningService {
  /** Lines for the start-up banner, e.g. the URLs the service answers on. */
  readonly banner?: readonly string[];
  stop(): Promise<void>;
}

export interface LocalService {
  /** Short name for the banner and shutdown messages. */
  readonly name: string;
  start(): Promise<RunningService>;
}
