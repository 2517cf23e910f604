import { describe, expect, it } from 'vitest';
import { callbackFormSchema, parseCallbackForm } from '../../shared/altapay/callback-form';
import { orderSchema, parseOrder } from '../../shared/checkout/order';

/**
 * Every field a shop or the gateway sends, given a bad value, is refused with a sentence that names
 * the field and says what its value must look like, in words a shop developer understands.
 */

const order = {
  shopOrderId: 'order-1001',
  amount: '249.00',
  currency: 'DKK',
  expiresAt: '2026-12-01T12:30:00Z',
};
const line = { description: 'Blue mug', itemId: 'mug-1', quantity: '1', unitPrice: '249.00' };
const amountRule =
  'must look like 249.00: digits, a dot, at most 2 decimals, more than 0 and less than 1000000000';

/** [field, the order with its bad value, the whole message]. */
const orderFields: readonly (readonly [string, Record<string, unknown>, string])[] = [
  [
    'shopOrderId',
    { ...order, shopOrderId: 'order #1' },
    'Field shopOrderId must be 1 to 100 letters (A-Z, a-z), digits, - or _, such as order-1001.',
  ],
  ['amount', { ...order, amount: '249,00' }, `Field amount ${amountRule}.`],
  ['amount', { ...order, amount: '0.00' }, `Field amount ${amountRule}.`],
  ['amount', { ...order, amount: 249 }, `Field amount ${amountRule}.`],
  [
    'amount',
    { ...order, amount: '2500.50', currency: 'JPY' },
    'Field amount must not have more decimals than its currency has: none for JPY or ISK, such as 2500.',
  ],
  [
    'currency',
    { ...order, currency: 'Kroner' },
    'Field currency must be a current ISO 4217 currency code, such as DKK or EUR (or its number, such as 208).',
  ],
  [
    'language',
    { ...order, language: 'Danish' },
    'Field language must be a two-letter lower-case language code such as da or en.',
  ],
  [
    'type',
    { ...order, type: 'capture' },
    'Field type must be payment, paymentAndCapture, subscription, subscriptionAndCharge or subscriptionAndReserve.',
  ],
  [
    'paymentMethod',
    { ...order, paymentMethod: 'MobilePay' },
    'Field paymentMethod must be a payment method in lower-case letters, such as card, mobilepay, klarna or invoice.',
  ],
  [
    'expiresAt',
    { ...order, expiresAt: '1 December 2026' },
    'Field expiresAt must be a UTC time in ISO 8601 such as 2026-12-01T12:30:00Z.',
  ],
  ['customer', { ...order, customer: 'Anna Jensen' }, 'Field customer must be a JSON object.'],
  [
    'customer.email',
    { ...order, customer: { email: 'anna(at)example.com' } },
    'Field customer.email must be an e-mail address such as anna@example.com, at most 200 characters.',
  ],
  [
    'customer.firstName',
    { ...order, customer: { firstName: '  ' } },
    'Field customer.firstName must be 1 to 100 characters, not only spaces.',
  ],
  [
    'customer.lastName',
    { ...order, customer: { lastName: 'J'.repeat(101) } },
    'Field customer.lastName must be 1 to 100 characters, not only spaces.',
  ],
  [
    'customer.address',
    { ...order, customer: { address: '' } },
    'Field customer.address must be 1 to 200 characters, not only spaces.',
  ],
  [
    'customer.postalCode',
    { ...order, customer: { postalCode: '8000'.repeat(6) } },
    'Field customer.postalCode must be 1 to 20 characters, not only spaces.',
  ],
  [
    'customer.city',
    { ...order, customer: { city: 42 } },
    'Field customer.city must be 1 to 100 characters, not only spaces.',
  ],
  [
    'customer.country',
    { ...order, customer: { country: 'Denmark' } },
    'Field customer.country must be a two-letter upper-case country code such as DK.',
  ],
  [
    'customer.phone',
    { ...order, customer: { phone: '+45 '.repeat(10) } },
    'Field customer.phone must be 1 to 30 characters, not only spaces.',
  ],
  [
    'customer.nickname',
    { ...order, customer: { nickname: 'AJ' } },
    'Field customer.nickname is not accepted; the accepted fields are email, firstName, lastName, address, postalCode, city, country, phone, shippingFirstName, shippingLastName, shippingAddress, shippingPostalCode, shippingCity, shippingCountry, createdDate, clientIp and userAgent.',
  ],
  ...(['shippingFirstName', 'shippingLastName'] as const).map(
    (name) =>
      [
        `customer.${name}`,
        { ...order, customer: { [name]: ' ' } },
        `Field customer.${name} must be 1 to 100 characters, not only spaces.`,
      ] as const,
  ),
  [
    'customer.shippingAddress',
    { ...order, customer: { shippingAddress: 'a'.repeat(201) } },
    'Field customer.shippingAddress must be 1 to 200 characters, not only spaces.',
  ],
  [
    'customer.shippingPostalCode',
    { ...order, customer: { shippingPostalCode: '' } },
    'Field customer.shippingPostalCode must be 1 to 20 characters, not only spaces.',
  ],
  [
    'customer.shippingCity',
    { ...order, customer: { shippingCity: 7 } },
    'Field customer.shippingCity must be 1 to 100 characters, not only spaces.',
  ],
  [
    'customer.shippingCountry',
    { ...order, customer: { shippingCountry: 'dk' } },
    'Field customer.shippingCountry must be a two-letter upper-case country code such as DK.',
  ],
  [
    'customer.createdDate',
    { ...order, customer: { createdDate: '15/03/2024' } },
    'Field customer.createdDate must be a date in ISO 8601 such as 2024-03-15.',
  ],
  [
    'customer.clientIp',
    { ...order, customer: { clientIp: '203.0.113' } },
    'Field customer.clientIp must be the IP address the customer ordered from, such as 203.0.113.7.',
  ],
  [
    'customer.userAgent',
    { ...order, customer: { userAgent: 'M'.repeat(501) } },
    'Field customer.userAgent must be 1 to 500 characters, not only spaces.',
  ],
  [
    'saleReconciliationIdentifier',
    { ...order, saleReconciliationIdentifier: '' },
    'Field saleReconciliationIdentifier must be 1 to 100 characters, not only spaces.',
  ],
  [
    'orderLines[0].taxAmount',
    { ...order, orderLines: [{ ...line, taxAmount: '62,25' }] },
    'Field orderLines[0].taxAmount must look like 62.25: the tax of the whole line, at most 2 decimals.',
  ],
  [
    'orderLines[0].discount',
    { ...order, orderLines: [{ ...line, discount: '120' }] },
    'Field orderLines[0].discount must be a percentage from 0 to 100, such as 10 or 12.5.',
  ],
  [
    'orderLines[0].unitCode',
    { ...order, orderLines: [{ ...line, unitCode: 'u'.repeat(51) }] },
    'Field orderLines[0].unitCode must be 1 to 50 characters, not only spaces.',
  ],
  [
    'orderLines',
    { ...order, orderLines: Array.from({ length: 101 }, () => line) },
    'Field orderLines must be a list of at most 100 order lines.',
  ],
  [
    'orderLines[0].description',
    { ...order, orderLines: [{ ...line, description: '' }] },
    'Field orderLines[0].description must be 1 to 255 characters, not only spaces.',
  ],
  [
    'orderLines[0].itemId',
    { ...order, orderLines: [{ ...line, itemId: undefined }] },
    'Field orderLines[0].itemId is required and must be 1 to 100 characters, not only spaces.',
  ],
  [
    'orderLines[0].quantity',
    { ...order, orderLines: [{ ...line, quantity: '1,5' }] },
    'Field orderLines[0].quantity must look like 1 or 0.5: digits, then a dot and at most 3 decimals if needed.',
  ],
  [
    'orderLines[0].unitPrice',
    { ...order, orderLines: [{ ...line, unitPrice: '249.995' }] },
    'Field orderLines[0].unitPrice must look like 249.00: digits, a dot, at most 2 decimals; a discount line has a minus, such as -20.00.',
  ],
  [
    'orderLines[0].taxPercent',
    { ...order, orderLines: [{ ...line, taxPercent: '25%' }] },
    'Field orderLines[0].taxPercent must be a percentage below 100, such as 25 or 12.5.',
  ],
  [
    'orderLines[0].goodsType',
    { ...order, orderLines: [{ ...line, goodsType: 'gift' }] },
    'Field orderLines[0].goodsType must be item, physical, digital, shipment, handling, discount, gift_card, sales_tax, subscription_model or refund.',
  ],
  [
    'returnUrl',
    { ...order, returnUrl: 'https://shop.example/' },
    'Field returnUrl is not accepted; the accepted fields are shopOrderId, amount, currency, language, type, paymentMethod, expiresAt, customer, saleReconciliationIdentifier and orderLines.',
  ],
];

const callback = {
  shop_orderid: 'order-1001',
  amount: '249.00',
  currency: '208',
  xml: '<APIResponse version="20170228"/>',
};
const textRule = (max: number) => `must be at most ${max} characters of text, without control characters`;

/** [field, the callback form with its bad value, the whole message]. */
const callbackFields: readonly (readonly [string, Record<string, string>, string])[] = [
  [
    'shop_orderid',
    { ...callback, shop_orderid: '<script>' },
    'Field shop_orderid must be 1 to 100 letters, digits, spaces or _ . : -, starting with a letter, digit or _.',
  ],
  [
    'amount',
    { ...callback, amount: '249,00' },
    'Field amount must look like 249.00: up to 15 digits, a dot, at most 6 decimals, no sign.',
  ],
  [
    'currency',
    { ...callback, currency: '999' },
    'Field currency must be an ISO 4217 currency code such as 208 or DKK.',
  ],
  ['xml', { ...callback, xml: '' }, "Field xml must be the gateway's APIResponse XML document."],
  ['checksum', { ...callback, checksum: 'f'.repeat(129) }, `Field checksum ${textRule(128)}.`],
  [
    'transaction_id',
    { ...callback, transaction_id: '7'.repeat(65) },
    `Field transaction_id ${textRule(64)}.`,
  ],
  ['payment_id', { ...callback, payment_id: 'p\u0000' }, `Field payment_id ${textRule(64)}.`],
  ['status', { ...callback, status: 'succeeded\u0007' }, `Field status ${textRule(64)}.`],
  [
    'payment_status',
    { ...callback, payment_status: 'x'.repeat(65) },
    `Field payment_status ${textRule(64)}.`,
  ],
  ['type', { ...callback, type: 'payment\u001b' }, `Field type ${textRule(64)}.`],
  ['nature', { ...callback, nature: 'n'.repeat(65) }, `Field nature ${textRule(64)}.`],
  [
    'require_capture',
    { ...callback, require_capture: 'not-at-all' },
    `Field require_capture ${textRule(8)}.`,
  ],
  [
    'error_message',
    { ...callback, error_message: 'e'.repeat(1001) },
    `Field error_message ${textRule(1000)}.`,
  ],
  [
    'merchant_error_message',
    { ...callback, merchant_error_message: 'e'.repeat(2001) },
    `Field merchant_error_message ${textRule(2000)}.`,
  ],
  [
    'cardholder_message_must_be_shown',
    { ...callback, cardholder_message_must_be_shown: 'definitely' },
    `Field cardholder_message_must_be_shown ${textRule(8)}.`,
  ],
];

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('messages for an order (POST /payments)', () => {
  it.each(orderFields)('names %s and says what it must look like', (_, input, message) => {
    expect(() => parseOrder(json(input))).toThrowError(expect.objectContaining({ status: 400, message }));
  });

  it('names a missing field and what it must look like', () => {
    expect(() =>
      parseOrder(json({ shopOrderId: 'order-1001', currency: 'DKK', expiresAt: order.expiresAt })),
    ).toThrowError(
      expect.objectContaining({
        code: 'missing_field',
        message: `Field amount is required and ${amountRule}.`,
      }),
    );
  });

  it('says what an order looks like when the body is not an object', () => {
    expect(() => parseOrder(json(['order-1001', '249.00', 'DKK']))).toThrowError(
      expect.objectContaining({
        message:
          'The order must be a JSON object such as {"shopOrderId": "order-1001", "amount": "249.00", "currency": "DKK", "expiresAt": "2026-12-01T12:30:00Z"}.',
      }),
    );
  });

  it('covers every field of the order', () => {
    const customer = orderSchema.shape.customer.def.innerType.shape;
    const orderLine = orderSchema.shape.orderLines.def.innerType.def.element.shape;
    const fields = [
      ...Object.keys(orderSchema.shape),
      ...Object.keys(customer).map((name) => `customer.${name}`),
      ...Object.keys(orderLine).map((name) => `orderLines[0].${name}`),
    ];

    expect(new Set(orderFields.map(([field]) => field))).toEqual(
      new Set([...fields, 'customer.nickname', 'returnUrl']),
    );
  });
});

describe('messages for a callback form', () => {
  it.each(callbackFields)('names %s and says what it must look like', (_, fields, message) => {
    expect(() => parseCallbackForm(new Map(Object.entries(fields)))).toThrowError(
      expect.objectContaining({ status: 400, message }),
    );
  });

  it('covers every field of the callback form', () => {
    expect(callbackFields.map(([field]) => field)).toEqual(Object.keys(callbackFormSchema.shape));
  });
});
