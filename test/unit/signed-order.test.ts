import { describe, expect, it } from 'vitest';
import { encodeFormBody } from '../../shared/altapay/form-body';
import { signOrder } from '../../shared/checkout/order-signature';
import { readSignedOrder } from '../../shared/checkout/signed-order';
import { ClientError } from '../../shared/errors';

const key = 'shop-key-0123456789abcdef0123456789abcdef';
const now = new Date('2026-12-01T12:00:00Z');
const bytes = (text: string) => new TextEncoder().encode(text);
const orderText = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    shopOrderId: 'SHOP-1001',
    amount: '249.00',
    currency: 'DKK',
    expiresAt: '2026-12-01T12:30:00Z',
    ...fields,
  });

const readJson = (text: string, signature: string | undefined) =>
  readSignedOrder({ format: 'json', body: bytes(text), signature }, [key], now);
const readForm = (fields: Record<string, string>) =>
  readSignedOrder({ format: 'form', body: bytes(encodeFormBody(fields)) }, [key], now);

function refusal(read: () => unknown): { status: number; code: string; message: string } | 'accepted' {
  try {
    read();
    return 'accepted';
  } catch (error) {
    if (error instanceof ClientError)
      return { status: error.status, code: error.code, message: error.message };
    throw error;
  }
}

describe('a signed order', () => {
  it('is read from JSON with its signature in the header', () => {
    const text = orderText({ type: 'paymentAndCapture' });

    expect(readJson(text, signOrder(text, key))).toMatchObject({
      shopOrderId: 'SHOP-1001',
      amount: '249.00',
      currency: { alpha: 'DKK' },
      type: 'paymentAndCapture',
    });
  });

  it('is read from a form’s order and signature fields, every other field ignored', () => {
    const text = orderText();

    const order = readForm({
      order: text,
      signature: signOrder(text, key),
      amount: '1.00',
      type: 'paymentAndCapture',
      submit: 'Pay',
    });

    expect(order).toMatchObject({ amount: '249.00' });
    expect(order.type).toBeUndefined();
  });

  it('is refused unsigned with 401 before its fields are looked at', () => {
    expect(refusal(() => readJson('{"amount":"not money"}', undefined))).toMatchObject({
      status: 401,
      code: 'order_unsigned',
    });
    expect(
      refusal(() => readForm({ shopOrderId: 'SHOP-1001', amount: '1.00', currency: 'DKK' })),
    ).toMatchObject({ status: 401, code: 'order_unsigned' });
  });

  it('is refused with 403 when a byte differs from what was signed', () => {
    const text = orderText();
    const signature = signOrder(text, key);

    expect(refusal(() => readJson(text.replace('249.00', '1.00'), signature))).toMatchObject({
      status: 403,
      code: 'order_signature_mismatch',
    });
    expect(refusal(() => readJson(`${text} `, signature))).toMatchObject({ status: 403 });
    expect(refusal(() => readForm({ signature }))).toMatchObject({ status: 403 });
  });

  it('is refused with 403 order_expired once its expiresAt has passed', () => {
    for (const expiresAt of ['2026-12-01T12:00:00Z', '2026-11-30T12:00:00Z']) {
      const text = orderText({ expiresAt });

      expect(refusal(() => readJson(text, signOrder(text, key)))).toEqual({
        status: 403,
        code: 'order_expired',
        message: `The order expired at ${expiresAt} (its expiresAt): the shop must sign a fresh order.`,
      });
    }
  });

  it('is refused with 400 when it would stay usable for more than 24 hours', () => {
    const text = orderText({ expiresAt: '2026-12-02T12:00:01Z' });

    expect(refusal(() => readJson(text, signOrder(text, key)))).toEqual({
      status: 400,
      code: 'invalid_field',
      message:
        'Field expiresAt must be at most 24 hours ahead, such as 30 minutes from now; 2026-12-02T12:00:01Z is later.',
    });
    const dayAhead = orderText({ expiresAt: '2026-12-02T12:00:00Z' });
    expect(refusal(() => readJson(dayAhead, signOrder(dayAhead, key)))).toBe('accepted');
  });

  it('still gets field messages once signed', () => {
    const text = orderText({ amount: '249,00' });

    expect(refusal(() => readJson(text, signOrder(text, key)))).toMatchObject({
      status: 400,
      code: 'invalid_field',
      message: expect.stringContaining('Field amount must look like 249.00'),
    });
  });
});
