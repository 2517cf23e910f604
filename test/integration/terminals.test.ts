import { describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';
import { signedJsonRequest } from '../support/signed-order';

/**
 * A shop that sells in DKK and EUR by card, over real HTTP: POST /payments picks the terminal from the
 * order's currency and method, the simulator (which knows only these terminals, as the real gateway
 * knows only the merchant's) sees that terminal, and GET /payments shows it.
 */
const terminals = [
  { name: 'Shop DKK Card', currency: 'DKK', method: 'card' },
  { name: 'Shop EUR Card', currency: 'EUR', method: 'card' },
];
const stack = useLocalStack({ ALTAPAY_TERMINALS: JSON.stringify(terminals) });

const postOrder = (order: Record<string, unknown>) =>
  fetch(`${stack.apiUrl}/payments`, signedJsonRequest(order, stack.shopOrderKey));

const created = async (response: Response) => {
  expect(response.status).toBe(201);
  return (await response.json()) as { paymentRequestId: string; url: string };
};

describe('terminals by currency and method', () => {
  it('runs an EUR order on the EUR terminal, and the payment shows which one', async () => {
    const { paymentRequestId, url } = await created(
      await postOrder({ shopOrderId: 'term-eur', amount: '49.95', currency: 'EUR' }),
    );

    expect(stack.simulator.paymentRequest(paymentRequestId)?.terminal).toBe('Shop EUR Card');
    expect((await stack.payment('term-eur'))?.expected).toEqual({
      amount: '49.95',
      currency: 'EUR',
      terminal: 'Shop EUR Card',
    });
    // The customer sees on the payment page which terminal takes the money.
    expect(await (await fetch(url)).text()).toContain('<dd id="terminal">Shop EUR Card</dd>');
  });

  it('runs a DKK order, by card unless it says otherwise, on the DKK terminal', async () => {
    const { paymentRequestId } = await created(
      await postOrder({ shopOrderId: 'term-dkk', amount: '249.00', currency: 'DKK', paymentMethod: 'card' }),
    );

    expect(stack.simulator.paymentRequest(paymentRequestId)?.terminal).toBe('Shop DKK Card');
  });

  it('answers a SEK order 400, naming the configured terminals, and asks the gateway nothing', async () => {
    const response = await postOrder({ shopOrderId: 'term-sek', amount: '100.00', currency: 'SEK' });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: 'no_terminal',
      message:
        'No terminal takes card payments in SEK; configured: Shop DKK Card (DKK, card), Shop EUR Card (EUR, card).',
    });
    expect(stack.simulator.paymentRequestsFor('term-sek')).toEqual([]);
    expect(await stack.payment('term-sek')).toBeUndefined();
  });

  it('answers a method no terminal takes 400, and a method that is no word 400 naming the field', async () => {
    const mobilepay = await postOrder({
      shopOrderId: 'term-mp',
      amount: '100.00',
      currency: 'DKK',
      paymentMethod: 'mobilepay',
    });
    expect(mobilepay.status).toBe(400);
    expect(((await mobilepay.json()) as { message: string }).message).toMatch(
      /^No terminal takes mobilepay payments in DKK; configured: Shop DKK Card/,
    );

    const odd = await postOrder({
      shopOrderId: 'term-odd',
      amount: '100.00',
      currency: 'DKK',
      paymentMethod: 'Mobile Pay',
    });
    expect(odd.status).toBe(400);
    expect(((await odd.json()) as { message: string }).message).toBe(
      'Field paymentMethod must be a payment method in lower-case letters, such as card, mobilepay, klarna or invoice.',
    );
  });
});
