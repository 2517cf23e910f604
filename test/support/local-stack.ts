import { afterAll, beforeAll, vi } from 'vitest';
import type { GatewaySimulator } from '../../local/altapay-simulator/index';
import { type LocalStack, startLocalStack } from '../../local/stack';

export interface StackUnderTest {
  readonly apiUrl: string;
  readonly simulator: GatewaySimulator;
  /** The recorded payment as the status API answers it (undefined when 404). */
  payment(shopOrderId: string): Promise<PaymentJson | undefined>;
  /** Polls the status API until the payment has `status`, or fails after `timeoutMs`. */
  waitForStatus(shopOrderId: string, status: string, timeoutMs?: number): Promise<PaymentJson>;
}

export interface PaymentJson {
  status: string;
  transactions: { transactionId: string; paymentStatus: string; reservedAmount: string }[];
  events: { callbackType: string; duplicate: boolean; outcome: string }[];
}

/**
 * The whole local stack of `npm start` (emulators, AltaPay simulator, API with the real handlers) for a
 * test file, on free ports, with `settings` in the environment before any handler loads.
 */
export function useLocalStack(
  settings: Record<string, string> = {},
  notificationDelayMs = 300,
): StackUnderTest {
  let stack: LocalStack | undefined;
  beforeAll(async () => {
    for (const [name, value] of Object.entries(settings)) vi.stubEnv(name, value);
    vi.resetModules();
    stack = await startLocalStack({ apiPort: 0, simulatorPort: 0, notificationDelayMs });
  });
  afterAll(async () => {
    await stack?.stop();
    vi.unstubAllEnvs();
  });
  const get = (): LocalStack => {
    if (stack === undefined) throw new Error('useLocalStack(): use it inside a test');
    return stack;
  };
  const payment = async (shopOrderId: string) => {
    const response = await fetch(`${get().apiUrl}/payments/${encodeURIComponent(shopOrderId)}`);
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw new Error(`GET /payments/${shopOrderId}: ${response.status}`);
    return (await response.json()) as PaymentJson;
  };
  return {
    get apiUrl() {
      return get().apiUrl;
    },
    get simulator() {
      return get().simulator;
    },
    payment,
    async waitForStatus(shopOrderId, status, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const current = await payment(shopOrderId);
        if (current?.status === status) return current;
        if (Date.now() > deadline) {
          throw new Error(
            `payment ${shopOrderId} is ${current?.status ?? 'unknown'}, not ${status}, after ${timeoutMs} ms`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
