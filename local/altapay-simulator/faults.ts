/**
 * The faults a merchant rehearses on the simulator (docs/altapay-protocol.md §12): what can go wrong
 * between the gateway and the shop, named, with their parameters, and the queue that holds them until
 * the next customer click or the next Merchant API call takes one. `failNext`, the payment page's
 * "Rehearse a fault" menu and `POST /control/faults` all put faults on this one queue.
 */
import { type ApiMethod, apiMethods } from './ledger';

/**
 * Faults of a customer's click: they change how the gateway delivers that click's result callbacks.
 * - `callback-lost`: the result callback is never posted; the customer gets the gateway's own page.
 * - `callback-slow` (seconds): the result callback is posted only after N s, the customer waiting.
 * - `callback-twice`: the result callback is posted twice, one after the other.
 * - `notification-before-ok`: callback_notification with the final state, then the result callback.
 * - `ok-after-fail`: a stale callback_fail of an earlier declined attempt at the same order, then the result.
 */
export const clickFaultNames = [
  'callback-lost',
  'callback-slow',
  'callback-twice',
  'notification-before-ok',
  'ok-after-fail',
] as const;

/**
 * Faults of the next Merchant API call (of `method`, or any).
 * - `api-down`: the connection is dropped without an answer; nothing is done.
 * - `api-slow` (seconds): the call is done at once, its answer sent after N s.
 * - `api-result-error`: `Result=Error` with a merchant error message; nothing is done.
 * - `api-header-error`: an error in the `Header` (errorCode other than 0); nothing is done.
 * - `api-timeout`: the connection is held and never answered; nothing is done.
 * - `api-answer-lost`: the call is done, then the connection is held and never answered.
 * - `api-unauthorized`: HTTP 401, as for wrong credentials.
 * - `api-http-500`: an HTML 500 page, nothing done.
 */
export const apiFaultNames = [
  'api-down',
  'api-slow',
  'api-result-error',
  'api-header-error',
  'api-timeout',
  'api-answer-lost',
  'api-unauthorized',
  'api-http-500',
] as const;

export type ClickFaultName = (typeof clickFaultNames)[number];
export type ApiFaultName = (typeof apiFaultNames)[number];
export type FaultName = ClickFaultName | ApiFaultName;

/** The faults that wait a number of seconds. */
export const slowFaultNames: readonly FaultName[] = ['callback-slow', 'api-slow'];

/** Longer than any client waits: a slow fault past it would only hold a socket open. */
export const maxFaultSeconds = 600;

/** A fault of a customer's click. */
export type ClickFault =
  | { readonly fault: Exclude<ClickFaultName, 'callback-slow'> }
  | { readonly fault: 'callback-slow'; readonly seconds: number };

/** A fault of a Merchant API call; without `method` the next call of any method takes it. */
export type ApiFault = (
  | { readonly fault: Exclude<ApiFaultName, 'api-slow'> }
  | { readonly fault: 'api-slow'; readonly seconds: number }
) & { readonly method?: ApiMethod };

export type Fault = ClickFault | ApiFault;

export function isClickFault(fault: Fault): fault is ClickFault {
  return (clickFaultNames as readonly string[]).includes(fault.fault);
}

/** Every fault, click faults first. */
export const faultNames: readonly FaultName[] = [...clickFaultNames, ...apiFaultNames];

/**
 * `failNext`'s kinds, older than the fault names: each is the API fault `api-<kind>`.
 * @see apiFaultNames
 */
export type ApiFailure =
  | 'header-error'
  | 'result-error'
  | 'unauthorized'
  | 'timeout'
  | 'answer-lost'
  | 'http-500';

/** Why a fault as written cannot be queued: a message for the shop developer. */
export class FaultInputError extends Error {
  override readonly name = 'FaultInputError';
}

/**
 * Reads a fault from the fields given (the control API's JSON, the payment page's form); throws
 * FaultInputError naming the first field that is wrong.
 */
export function parseFault(fields: { fault?: unknown; method?: unknown; seconds?: unknown }): Fault {
  const { fault, method, seconds } = fields;
  if (typeof fault !== 'string' || !(faultNames as readonly string[]).includes(fault)) {
    throw new FaultInputError(`Field fault must be one of ${faultNames.join(', ')}.`);
  }
  const name = fault as FaultName;
  const isApi = (apiFaultNames as readonly string[]).includes(name);
  if (method !== undefined && !isApi) {
    throw new FaultInputError(
      `Field method applies only to the api-* faults: ${name} applies to the next customer click.`,
    );
  }
  if (method !== undefined && !(apiMethods as readonly unknown[]).includes(method)) {
    throw new FaultInputError(`Field method must be one of ${apiMethods.join(', ')}.`);
  }
  const slow = slowFaultNames.includes(name);
  if (!slow && seconds !== undefined) {
    throw new FaultInputError(`Field seconds applies only to ${slowFaultNames.join(' and ')}.`);
  }
  const forMethod = method === undefined ? {} : { method: method as ApiMethod };
  if (!slow) return { fault: name, ...forMethod } as Fault;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0 || seconds > maxFaultSeconds) {
    throw new FaultInputError(
      `Field seconds is required for ${name}: a number of seconds from 0 to ${maxFaultSeconds}, e.g. 30 or 0.5.`,
    );
  }
  return { fault: name, seconds, ...forMethod } as Fault;
}

/** Faults waiting for the click or the API call that takes them, oldest first. */
export class FaultQueue {
  private readonly queued: Fault[] = [];

  /** Queues `fault` after those already waiting. */
  push(fault: Fault): Fault {
    this.queued.push(fault);
    return fault;
  }

  /** Takes the oldest click fault, if any: the click that takes it is the one it applies to. */
  takeClickFault(): ClickFault | undefined {
    const index = this.queued.findIndex(isClickFault);
    return index === -1 ? undefined : (this.queued.splice(index, 1)[0] as ClickFault);
  }

  /** Takes the oldest API fault for `method` (one naming it, or naming none). */
  takeApiFault(method: ApiMethod): ApiFault | undefined {
    const index = this.queued.findIndex(
      (f) => !isClickFault(f) && (f.method === undefined || f.method === method),
    );
    return index === -1 ? undefined : (this.queued.splice(index, 1)[0] as ApiFault);
  }

  /** What is waiting, oldest first (copies). */
  pending(): readonly Fault[] {
    return this.queued.map((f) => ({ ...f }));
  }

  /** Drops everything waiting; returns how many faults that was. */
  clear(): number {
    return this.queued.splice(0).length;
  }
}
