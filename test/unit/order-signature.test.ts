import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderSignatureError, signOrder, verifyOrderSignature } from '../../shared/checkout/order-signature';

const shopKey = 'shop-key-0123456789abcdef0123456789abcdef';
const previousKey = 'shop-key-previous-000000000000000000000000';
const order = JSON.stringify({
  shopOrderId: 'SHOP-1001',
  amount: '249.00',
  currency: 'DKK',
  type: 'payment',
  expiresAt: '2026-12-01T21:00:00Z',
});
const bytes = (text: string) => Buffer.from(text, 'utf8');

function refusal(run: () => void): { status: number; code: string } | 'accepted' {
  try {
    run();
    return 'accepted';
  } catch (error) {
    if (error instanceof OrderSignatureError) return { status: error.status, code: error.code };
    throw error;
  }
}

describe('order signatures', () => {
  it("are v1= and the HMAC-SHA256 hex of the order's bytes, as PHP's hash_hmac and Python's hmac compute it", () => {
    const signature = signOrder(order, shopKey);

    expect(signature).toBe(`v1=${createHmac('sha256', shopKey).update(order).digest('hex')}`);
    expect(refusal(() => verifyOrderSignature(bytes(order), signature, [shopKey]))).toBe('accepted');
  });

  it('accept the previous key during a rotation', () => {
    const signature = signOrder(order, previousKey);

    expect(refusal(() => verifyOrderSignature(bytes(order), signature, [shopKey, previousKey]))).toBe(
      'accepted',
    );
    expect(refusal(() => verifyOrderSignature(bytes(order), signature, [shopKey]))).toEqual({
      status: 403,
      code: 'order_signature_mismatch',
    });
  });

  it('refuse an unsigned order with 401', () => {
    expect(refusal(() => verifyOrderSignature(bytes(order), undefined, [shopKey]))).toEqual({
      status: 401,
      code: 'order_unsigned',
    });
    expect(refusal(() => verifyOrderSignature(bytes(order), '', [shopKey]))).toEqual({
      status: 401,
      code: 'order_unsigned',
    });
  });

  it.each([
    ['upper-case hex', (s: string) => s.toUpperCase().replace('V1=', 'v1=')],
    ['no v1= prefix', (s: string) => s.slice(3)],
    ['junk after the hex', (s: string) => `${s}00`],
    ['two signatures', (s: string) => `${s},${s}`],
    ['a leading space', (s: string) => ` ${s}`],
  ])('refuse a signature with %s as malformed (403)', (_name, change) => {
    const signature = change(signOrder(order, shopKey));

    expect(refusal(() => verifyOrderSignature(bytes(order), signature, [shopKey]))).toEqual({
      status: 403,
      code: 'order_signature_malformed',
    });
  });

  it('refuse an order with any one character changed (403)', () => {
    const signature = signOrder(order, shopKey);
    fc.assert(
      fc.property(fc.nat({ max: order.length - 1 }), fc.integer({ min: 0x20, max: 0x7e }), (index, code) => {
        fc.pre(order.charCodeAt(index) !== code);
        const changed = order.slice(0, index) + String.fromCharCode(code) + order.slice(index + 1);
        expect(refusal(() => verifyOrderSignature(bytes(changed), signature, [shopKey]))).toEqual({
          status: 403,
          code: 'order_signature_mismatch',
        });
      }),
      { numRuns: 500 },
    );
  });

  it('refuse to sign with a key shorter than 32 characters', () => {
    expect(() => signOrder(order, 'too-short')).toThrow(/at least 32 characters/);
  });
});
