import { readTerminalList, type Terminal } from '../shared/checkout/terminals';

/**
 * The terminals of the local stack, as a merchant with two currencies and MobilePay has them; set
 * ALTAPAY_TERMINALS (or ALTAPAY_TERMINAL for one card terminal) to try others.
 */
export const localTerminals: readonly Terminal[] = [
  { name: 'Shop DKK Card', currency: 'DKK', method: 'card' },
  { name: 'Shop EUR Card', currency: 'EUR', method: 'card' },
  { name: 'Shop DKK MobilePay', currency: 'DKK', method: 'mobilepay' },
];

/** The terminals `env` configures, read as create-payment reads them; the local defaults when none. */
export function configuredTerminals(env: NodeJS.ProcessEnv): readonly Terminal[] {
  if (env.ALTAPAY_TERMINALS) {
    try {
      return readTerminalList(env.ALTAPAY_TERMINALS, 'ALTAPAY_TERMINALS');
    } catch (error) {
      throw new Error(`Invalid settings: ${(error as Error).message}`);
    }
  }
  if (env.ALTAPAY_TERMINAL) return [{ name: env.ALTAPAY_TERMINAL, method: 'card' }];
  return localTerminals;
}
