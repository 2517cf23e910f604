import { describe, expect, it } from 'vitest';
import { useEmulators } from '../support/emulators';
import {
  callbackFields,
  encodeFormBody,
  readFixture,
  readFormFields,
  signed,
  transactionXml,
} from '../support/gateway';
import { useLocalApi } from '../support/local-api';

/**
 * Bad input gets a precise 4xx and changes nothing. The terminal has a shared secret here, with a
 * previous one still accepted during rotation.
 */
const secret = 'current-secret-æøå';
const previousSecret = 'previous-secret';
const stack = useEmulators();
const api = useLocalApi(stack, {
  ALTAPAY_CALLBACK_SECRET: secret,
  ALTAPAY_CALLBACK_SECRET_PREVIOUS: previousSecret,
});

const xml = transactionXml({
  shopOrderId: 'order-1',
  transactionId: '7001',
  status: 'preauth',
  reserved: '100.00',
});
const genuine = () => signed(callbackFields(xml), secret);

/** Posts, then checks the answer is the expected 4xx with a clean, stack-free JSON body. */
async function expectRejected(response: Response, status: number, error: string): Promise<string> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+|Exception/);
  const body = JSON.parse(text) as { error: string; message: string };
  expect(body.error).toBe(error);
  expect(body.message.length).toBeGreaterThan(10);
  return body.message;
}

describe('callbacks that are refused', () => {
  it('refuses a callback without a checksum when a secret is configured (403)', async () => {
    const { checksum: _, ...unsigned } = genuine();
    const message = await expectRejected(await api.postCallback('ok', unsigned), 403, 'checksum_missing');
    expect(message).toContain('secret');
  });

  it('refuses a wrong checksum (403)', async () => {
    await expectRejected(
      await api.postCallback('ok', { ...genuine(), checksum: '0'.repeat(32) }),
      403,
      'checksum_mismatch',
    );
  });

  it('refuses a truncated checksum (403)', async () => {
    const fields = genuine();
    await expectRejected(
      await api.postCallback('ok', { ...fields, checksum: (fields.checksum ?? '').slice(0, 31) }),
      403,
      'checksum_mismatch',
    );
  });

  it('refuses a checksum made with another secret (403)', async () => {
    await expectRejected(
      await api.postCallback('ok', signed(callbackFields(xml), 'guessed')),
      403,
      'checksum_mismatch',
    );
  });

  it('refuses a genuine checksum when a covered field was changed after signing (403)', async () => {
    await expectRejected(
      await api.postCallback('ok', { ...genuine(), amount: '1.00' }),
      403,
      'checksum_mismatch',
    );
  });

  it('refuses a body over the limit before reading it (413)', async () => {
    const fields = { ...genuine(), padding: 'x'.repeat(300 * 1024) };
    await expectRejected(await api.postCallback('ok', fields), 413, 'payload_too_large');
  });

  it.each([
    ['application/json', 'application/json'],
    ['text/plain', 'text/plain'],
    ['a non-UTF-8 charset', 'application/x-www-form-urlencoded; charset=iso-8859-1'],
    ['multipart', 'multipart/form-data; boundary=x'],
  ])('refuses a body sent as %s (415)', async (_, contentType) => {
    await expectRejected(
      await api.post('/callbacks/ok', encodeFormBody(genuine()), contentType),
      415,
      'unsupported_media_type',
    );
  });

  it('refuses bytes that are not UTF-8 (400)', async () => {
    const body = Buffer.concat([
      Buffer.from('shop_orderid=order-1&amount='),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('&xml=x'),
    ]);
    await expectRejected(await api.post('/callbacks/ok', body), 400, 'invalid_encoding');
  });

  it('refuses a broken %-escape (400)', async () => {
    await expectRejected(
      await api.post('/callbacks/ok', `${encodeFormBody(genuine())}&note=%ZZ`),
      400,
      'invalid_encoding',
    );
  });

  it('refuses an escape of invalid UTF-8 (400)', async () => {
    await expectRejected(
      await api.post('/callbacks/ok', `${encodeFormBody(genuine())}&note=%FF`),
      400,
      'invalid_encoding',
    );
  });

  it('refuses a repeated field, which would let the checksum and the logic read different values (400)', async () => {
    const message = await expectRejected(
      await api.post('/callbacks/ok', `${encodeFormBody(genuine())}&amount=1.00`),
      400,
      'repeated_field',
    );
    expect(message).toContain('amount');
  });

  it('refuses a signed callback without xml (400, names the field)', async () => {
    const { xml: _, ...rest } = genuine();
    const message = await expectRejected(await api.postCallback('ok', rest), 400, 'missing_field');
    expect(message).toBe("Field xml is required and must be the gateway's APIResponse XML document.");
  });

  it.each([
    ['a non-decimal amount', { amount: '12,50' }, 'Field amount must look like 249.00'],
    ['a negative amount', { amount: '-1.00' }, 'Field amount must look like 249.00'],
    ['an absurd amount', { amount: '1e999' }, 'Field amount must look like 249.00'],
    ['an unknown currency', { currency: '999' }, 'Field currency must be an ISO 4217 currency code'],
    ['markup in the order id', { shop_orderid: '<script>alert(1)</script>' }, 'Field shop_orderid must be'],
    [
      'an order id over 100 characters',
      { shop_orderid: 'a'.repeat(101) },
      'Field shop_orderid must be 1 to 100',
    ],
  ])('refuses %s (400, names the field)', async (_, override, named) => {
    const fields = signed({ ...callbackFields(xml), ...override }, secret);
    const message = await expectRejected(await api.postCallback('ok', fields), 400, 'invalid_field');
    expect(message).toContain(named);
  });

  it.each([
    ['broken xml', '<APIResponse><Header>', 'xml_malformed'],
    ['text that is not xml', 'hello', 'xml_malformed'],
    ['a DOCTYPE', '<?xml version="1.0"?><!DOCTYPE APIResponse><APIResponse/>', 'xml_doctype_forbidden'],
    [
      'billion laughs',
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><APIResponse>&lol2;</APIResponse>',
      'xml_doctype_forbidden',
    ],
    [
      'an external entity',
      '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><APIResponse>&x;</APIResponse>',
      'xml_doctype_forbidden',
    ],
    ['a lower-case doctype', '<!doctype x><APIResponse/>', 'xml_doctype_forbidden'],
    [
      'elements nested 1000 deep',
      `<APIResponse>${'<a>'.repeat(1000)}${'</a>'.repeat(1000)}</APIResponse>`,
      'xml_malformed',
    ],
    [
      'two root elements',
      '<APIResponse><Header><ErrorCode>0</ErrorCode></Header></APIResponse><APIResponse/>',
      'xml_malformed',
    ],
    ['another root element', '<Response><Header/></Response>', 'xml_malformed'],
    ['a document without a header', '<APIResponse><Body/></APIResponse>', 'missing_field'],
    [
      'a non-decimal amount in the xml',
      transactionXml({ shopOrderId: 'order-1', transactionId: '7001', status: 'preauth', reserved: '1,00' }),
      'invalid_field',
    ],
  ])('refuses %s in the xml field (400)', async (_, document, error) => {
    await expectRejected(
      await api.postCallback('ok', signed(callbackFields(xml, { xml: document }), secret)),
      400,
      error,
    );
  });

  it('refuses xml that describes another order than the signed fields (400)', async () => {
    const other = transactionXml({
      shopOrderId: 'someone-else',
      transactionId: '7002',
      status: 'captured',
      captured: '5000.00',
    });
    const message = await expectRejected(
      await api.postCallback('ok', signed(callbackFields(xml, { xml: other }), secret)),
      400,
      'form_xml_mismatch',
    );
    expect(message).toContain('ShopOrderId');
  });

  it('refuses xml in another currency than the signed fields (400)', async () => {
    const euros = transactionXml({
      shopOrderId: 'order-1',
      transactionId: '7001',
      status: 'preauth',
      reserved: '100.00',
      currency: '978',
    });
    await expectRejected(
      await api.postCallback('ok', signed(callbackFields(xml, { xml: euros }), secret)),
      400,
      'form_xml_mismatch',
    );
  });

  it('refuses a transaction_id that is not in the xml (400)', async () => {
    await expectRejected(
      await api.postCallback('ok', signed(callbackFields(xml, { transaction_id: '9999' }), secret)),
      400,
      'form_xml_mismatch',
    );
  });

  it('refuses a gateway header error posted as a callback (400)', async () => {
    const document = readFixture('api-header-error.xml');
    await expectRejected(
      await api.postCallback('ok', signed(callbackFields(document, {}, 'order-1'), secret)),
      400,
      'xml_header_error',
    );
  });

  it('refuses the gateway payment-page form post, which is not a result callback (403 without checksum)', async () => {
    const fields = readFormFields('form-payment-page.json');
    await expectRejected(await api.postCallback('ok', fields), 403, 'checksum_missing');
  });

  it('stored nothing and queued nothing for any of the above', async () => {
    expect(await api.tableItems()).toEqual([]);
    expect(await api.queuedWork()).toEqual([]);
  });
});

describe('callbacks that are believed', () => {
  it('accepts a checksum made with the current secret', async () => {
    const response = await api.postCallback('ok', genuine());

    expect(response.status).toBe(200);
    // Recorded as the callback's claim (no worker runs here).
    expect(await (await api.getPayment('order-1')).json()).toMatchObject({ claim: { status: 'reserved' } });
  });

  it('accepts a checksum made with the previous secret during a rotation', async () => {
    const other = transactionXml({
      shopOrderId: 'order-2',
      transactionId: '7003',
      status: 'preauth',
      reserved: '5.00',
    });

    const response = await api.postCallback('ok', signed(callbackFields(other), previousSecret));

    expect(response.status).toBe(200);
  });

  it('accepts an upper-case checksum (hex is hex)', async () => {
    const other = transactionXml({
      shopOrderId: 'order-3',
      transactionId: '7004',
      status: 'preauth',
      reserved: '5.00',
    });
    const fields = signed(callbackFields(other), secret);

    const response = await api.postCallback('ok', {
      ...fields,
      checksum: (fields.checksum ?? '').toUpperCase(),
    });

    expect(response.status).toBe(200);
  });
});
