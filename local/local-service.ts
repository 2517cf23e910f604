/**
 * The contract between `local/start.ts` and each local service (the API today; a gateway simulator or a
 * queue worker loop later). Services find the emulated resources through `process.env`, exactly like
 * the handlers, which start.ts fills in before any service starts.
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
