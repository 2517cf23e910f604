import { describe, expect, it } from 'vitest';
import { findCurrency } from '../../shared/altapay/currency';
import { parseOrder } from '../../shared/checkout/order';
import { checkOrderLinesSum, type OrderLine } from '../../shared/checkout/order-lines';
import { ClientError } from '../../shared/errors';
import { orderJson } from '../support/signed-order';

/**
 * An order's lines must add up to its amount, as invoice and Klarna terminals insist: each line is
 * unitPrice × quantity, less its discount percent, plus its tax as the shop sent it.
 */

const currency = (code: string) => {
  const found = findCurrency(code);
  if (found === undefined) throw new Error(`${code} is unknown`);
  return found;
};
const dkk = currency('DKK');

const mug: OrderLine = {
  description: 'Ceramic mug',
  itemId: 'mug',
  quantity: '2',
  unitPrice: '79.60',
  taxAmount: '39.80',
  goodsType: 'item',
};
const shipping: OrderLine = {
  description: 'GLS pakkeshop',
  itemId: 'gls',
  quantity: '1',
  unitPrice: '39.20',
  taxPercent: '25',
  goodsType: 'shipment',
};

const refusal = (run: () => unknown): ClientError => {
  try {
    run();
  } catch (error) {
    if (error instanceof ClientError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('the order lines sum', () => {
  it('accepts lines that add up, with taxAmount as sent and taxPercent of the net', () => {
    // 2 × 79.60 + 39.80 = 199.00; 39.20 + 25 % = 49.00.
    expect(() => checkOrderLinesSum([mug, shipping], '248.00', dkk)).not.toThrow();
    // '248' and '248.00' are the same money.
    expect(() => checkOrderLinesSum([mug, shipping], '248', dkk)).not.toThrow();
  });

  it('refuses lines that fall short, naming the difference in the currency', () => {
    const error = refusal(() =>
      checkOrderLinesSum([mug, { ...shipping, unitPrice: '32.00' }], '249.00', dkk),
    );

    expect(error.status).toBe(400);
    expect(error.code).toBe('order_lines_mismatch');
    expect(error.message).toMatch(/^The order lines add up to 239\.00, 10\.00 less than amount 249\.00: /);
  });

  it('refuses lines that add up to more, and says so', () => {
    expect(refusal(() => checkOrderLinesSum([mug, shipping], '240.00', dkk)).message).toMatch(
      /^The order lines add up to 248\.00, 8\.00 more than amount 240\.00: /,
    );
  });

  it('takes a discount line (below zero) and a discount percent off', () => {
    const coupon: OrderLine = {
      description: 'Coupon WINTER',
      itemId: 'winter',
      quantity: '1',
      unitPrice: '-20.00',
      goodsType: 'discount',
    };
    // 10 % off 2 × 100.00 = 180.00, plus 25 % tax = 225.00; less the coupon 20.00.
    const towels: OrderLine = {
      description: 'Linen towel',
      itemId: 'towel',
      quantity: '2',
      unitPrice: '100.00',
      discount: '10',
      taxPercent: '25',
      unitCode: 'pcs',
    };
    expect(() => checkOrderLinesSum([towels, coupon], '205.00', dkk)).not.toThrow();
  });

  it('rounds each line to the currency: half an øre up, and no decimals at all for JPY', () => {
    const third: OrderLine = { description: 'Tea', itemId: 'tea', quantity: '0.333', unitPrice: '10.00' };
    // 3.33 exactly; 0.5 × 0.01 = 0.005 rounds up to 0.01.
    expect(() => checkOrderLinesSum([third], '3.33', dkk)).not.toThrow();
    expect(() =>
      checkOrderLinesSum([{ ...third, quantity: '0.5', unitPrice: '0.01' }], '0.01', dkk),
    ).not.toThrow();
    const yen: OrderLine = { description: 'Matcha', itemId: 'matcha', quantity: '3', unitPrice: '1250' };
    expect(refusal(() => checkOrderLinesSum([yen], '3700', currency('JPY'))).message).toMatch(
      /^The order lines add up to 3750, 50 more than amount 3700: /,
    );
  });

  it('lets an order without lines through: there is nothing to compare', () => {
    expect(() => checkOrderLinesSum([], '249.00', dkk)).not.toThrow();
  });

  it('is checked on every order POST /payments reads', () => {
    const order = { shopOrderId: 'sum-1', amount: '249.00', currency: 'DKK', orderLines: [mug] };
    expect(refusal(() => parseOrder(new TextEncoder().encode(orderJson(order)))).message).toMatch(
      /^The order lines add up to 199\.00, 50\.00 less than amount 249\.00/,
    );
  });

  it('refuses a discount line priced above zero, and a normal line priced below it', () => {
    const order = (line: Record<string, string>) =>
      new TextEncoder().encode(
        orderJson({ shopOrderId: 'sum-2', amount: '10.00', currency: 'DKK', orderLines: [line] }),
      );
    const base = { description: 'X', itemId: 'x', quantity: '1' };
    for (const line of [
      { ...base, unitPrice: '10.00', goodsType: 'discount' },
      { ...base, unitPrice: '-10.00', goodsType: 'item' },
    ]) {
      expect(refusal(() => parseOrder(order(line))).message).toBe(
        'Field orderLines[0].unitPrice must be below zero on a discount or gift_card line (money taken off), and not on any other line.',
      );
    }
  });
});
