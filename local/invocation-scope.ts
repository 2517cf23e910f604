/**
 * Keeps each local invocation's Powertools state apart. The local stack runs every function in one
 * process, and their invocations overlap (a callback arrives while the worker runs, the sweeper fires
 * mid-batch), so a Logger shared through the functions' runtime module would name every line after
 * whichever invocation called `addContext` last, and one invocation's `resetKeys` would drop another's.
 *
 * Lambda's Node.js runtime has this case too, when one execution environment serves several
 * invocations at once (`AWS_LAMBDA_MAX_CONCURRENCY`): it runs each invocation in its own async context
 * and exposes that context as `globalThis.awslambda.InvokeStore`, where Powertools (Logger, Metrics,
 * Batch) then keeps its per-invocation state. This file is that store for the local stack. On AWS
 * without that setting nothing changes: Powertools keeps its state on the instance, one invocation at
 * a time.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

type Values = Record<string | symbol, unknown>;

/** The runtime's key for the request id (`Symbol.for`, so every copy of Powertools sees the same). */
const requestIdKey = Symbol.for('_AWS_LAMBDA_REQUEST_ID');

/** The runtime's store, as Powertools and the AWS SDK read it. */
class LocalInvokeStore {
  readonly #invocations = new AsyncLocalStorage<Values>();
  /** Module scope (a cold start's init) runs outside any invocation, as on Lambda; it shares these. */
  readonly #outside: Values = {};

  getContext(): Values {
    return this.#invocations.getStore() ?? this.#outside;
  }
  hasContext(): boolean {
    return this.#invocations.getStore() !== undefined;
  }
  get(key: string | symbol): unknown {
    return this.getContext()[key];
  }
  set(key: string | symbol, value: unknown): void {
    this.getContext()[key] = value;
  }
  run<T>(values: Values, fn: () => T): T {
    return this.#invocations.run(values, fn);
  }
  outside<T>(fn: () => T): T {
    return this.#invocations.exit(fn);
  }
  getRequestId(): string {
    const id = this.get(requestIdKey);
    return typeof id === 'string' ? id : '-';
  }
  // No X-Ray, W3C trace context or tenant locally: the SDK then adds no trace headers.
  getXRayTraceId(): undefined {
    return undefined;
  }
  getTraceparent(): undefined {
    return undefined;
  }
  getTracestate(): undefined {
    return undefined;
  }
  getBaggage(): undefined {
    return undefined;
  }
  getTenantId(): undefined {
    return undefined;
  }
}

let store: LocalInvokeStore | undefined;

/**
 * The store, installed where the runtime puts it. Always ours: an SDK client built before the local
 * stack (a test's set-up) may already have put a single-invocation store there.
 */
function installed(): LocalInvokeStore {
  store ??= new LocalInvokeStore();
  // Powertools uses the store only while this is set; it never reads the number.
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ||= '10';
  const lambdaGlobal: unknown = Reflect.get(globalThis, 'awslambda');
  const target = typeof lambdaGlobal === 'object' && lambdaGlobal !== null ? lambdaGlobal : {};
  Reflect.set(globalThis, 'awslambda', target);
  if (Reflect.get(target, 'InvokeStore') !== store) Reflect.set(target, 'InvokeStore', store);
  return store;
}

/** Runs one invocation's work (and everything it starts) in its own scope. */
export function inInvocation<T>(awsRequestId: string, work: () => T): T {
  return installed().run({ [requestIdKey]: awsRequestId }, work);
}

/** Runs a function's init (its module scope, at a cold start) outside every invocation's scope. */
export function outsideInvocations<T>(work: () => T): T {
  return installed().outside(work);
}
