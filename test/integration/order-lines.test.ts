import { describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';
import { signedFormBody, signedJsonRequest } from '../support/signed-order';

/**
 * POST /payments over real HTTP refuses an order whose lines do not add up to its amount, before the
 * gateway is asked, and passes a valid one (a discount line, tax as sent) on to the simulator with the
 * customer's browser taken from the checkout request itself.
 */
const stack = useLocalStack();

const postJson = (order: Record<string, unknown>) =>
  fetch(`${stack.apiUrl}/payments`, signedJsonRequest(order, stack.shopOrderKey));

/** 2 × 79.60 + 39.80 tax = 199.00, 10 % off 100.00 + 22.50 tax = 112.50, less a 62.50 coupon: 249.00. */
const lines = [
  {
    description: 'Ceramic mug',
    itemId: 'mug',
    quantity: '2',
    unitPrice: '79.60',
    taxAmount: '39.80',
    taxPercent: '25',
    unitCode: 'pcs',
    goodsType: 'item',
  },
  {
    description: 'Stoneware teapot',
    itemId: 'teapot',
    quantity: '1',
    unitPrice: '100.00',
    discount: '10',
    taxAmount: '22.50',
    goodsType: 'physical',
  },
  {
    description: 'Coupon WINTER',
    itemId: 'winter',
    quantity: '1',
    unitPrice: '-62.50',
    goodsType: 'discount',
  },
];

describe('order lines on POST /payments', () => {
  it('answers 400 naming the difference when the lines do not add up, and asks the gateway nothing', async () => {
    const response = await postJson({
      shopOrderId: 'lines-short',
      amount: '249.00',
      currency: 'DKK',
      orderLines: [{ description: 'Ceramic mug', itemId: 'mug', quantity: '2', unitPrice: '120.00' }],
    });

    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; message: string };
    expect(body.error).toBe('order_lines_mismatch');
    expect(body.message).toMatch(/^The order lines add up to 240\.00, 9\.00 less than amount 249\.00: /);
    expect(stack.simulator.paymentRequestsFor('lines-short')).toEqual([]);
  });

  it('passes a valid order with a discount line, its lines as sent, to the gateway', async () => {
    const response = await postJson({
      shopOrderId: 'lines-ok',
      amount: '249.00',
      currency: 'DKK',
      customer: { email: 'anna@example.dk', createdDate: '2024-03-15', shippingCity: 'Aarhus' },
      saleReconciliationIdentifier: 'books-4411',
      orderLines: lines,
    });

    expect(response.status).toBe(201);
    const [request] = stack.simulator.paymentRequestsFor('lines-ok');
    expect(request?.orderLines).toEqual(lines);
    expect(request?.customerInfo).toMatchObject({ email: 'anna@example.dk', shipping_city: 'Aarhus' });
  });

  it("sends the browser's own address and User-Agent for a browser form post", async () => {
    const response = await fetch(`${stack.apiUrl}/payments`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': 'Mozilla/5.0 (Android 14; Mobile) Firefox/133.0',
      },
      // A signed clientIp counts for nothing in a form post: the request itself says where it came from.
      body: signedFormBody(
        {
          shopOrderId: 'lines-browser',
          amount: '10.00',
          currency: 'DKK',
          customer: { clientIp: '198.51.100.1' },
        },
        stack.shopOrderKey,
      ),
      redirect: 'manual',
    });

    expect(response.status).toBe(303);
    const [request] = stack.simulator.paymentRequestsFor('lines-browser');
    expect(request?.customerInfo).toMatchObject({
      client_ip: '127.0.0.1',
      client_user_agent: 'Mozilla/5.0 (Android 14; Mobile) Firefox/133.0',
    });
  });
});
