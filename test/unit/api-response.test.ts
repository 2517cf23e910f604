import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseApiResponse } from '../../shared/altapay/api-response';
import { fixtureSituation, fixturesDir, readFixture, readFormFields } from '../support/gateway';

const fixtures = readdirSync(fixturesDir).filter((name) => /\.(xml|json)$/.test(name));
const documents = fixtures.filter((name) => name.endsWith('.xml'));
const forms = fixtures.filter((name) => name.endsWith('.json'));

describe('reading APIResponse documents', () => {
  it.each(fixtures)('has a fixture %s that says in one line what real situation it models', (name) => {
    expect(fixtureSituation(name)).toMatch(/^\S.{20,}$/);
  });

  it('has fixtures for every Result the suite relies on, and gateway answers without one', () => {
    const results = new Set(documents.map((name) => parseApiResponse(readFixture(name)).result));

    expect([...results].sort()).toEqual(
      ['Cancelled', 'ChargebackEvent', 'Error', 'Failed', 'Open', 'Success', undefined].sort(),
    );
  });

  it.each(documents)('reads %s', (name) => {
    const response = parseApiResponse(readFixture(name));

    expect(response.header.errorCode).toMatch(/^\d+$/);
    for (const t of response.transactions) {
      expect(t.reservedAmount).toMatch(/^\d+(\.\d+)?$/);
      expect(t.transactionStatus).not.toBe('');
    }
  });

  it.each(forms.filter((name) => readFormFields(name).xml !== undefined))(
    'reads the xml field of %s',
    (name) => {
      expect(() => parseApiResponse(readFormFields(name).xml ?? '')).not.toThrow();
    },
  );

  it('reads a document that starts with a UTF-8 BOM and keeps its non-ASCII text', () => {
    const response = parseApiResponse(readFixture('callback-chargeback-with-bom.xml'));

    expect(response.result).toBe('ChargebackEvent');
    expect(response.transactions[0]?.terminal).toBe('Västkust Design CC SEK');
    expect(response.transactions[0]?.chargebacks[0]).toMatchObject({
      reasonCode: '4837',
      amount: '1895.00',
      currency: 'SEK',
    });
  });

  it('keeps ids and amounts as exact strings (leading zeros, trailing zeros)', () => {
    const response = parseApiResponse(readFixture('callback-captured.xml'));

    expect(response.transactions[0]).toMatchObject({
      shopOrderId: '000004711',
      currencyNumeric: '208',
      reservedAmount: '249.00',
      capturedAmount: '249.00',
      maskedPan: '411111**********1111',
      fraudRecommendation: 'Deny',
    });
  });

  it('reads 0..n transactions: none, one, two', () => {
    const counts = [
      'callback-error-without-transactions.xml',
      'callback-reserved.xml',
      'callback-subscription-reserved.xml',
    ].map((name) => parseApiResponse(readFixture(name)).transactions.length);

    expect(counts).toEqual([0, 1, 2]);
  });

  it('reads a header error with no body, and one with an empty body', () => {
    expect(parseApiResponse(readFixture('api-header-error.xml')).header.errorCode).toBe('31');
    const empty = parseApiResponse(readFixture('api-header-error-empty-body.xml'));
    expect(empty.header.errorCode).toBe('10000015');
    expect(empty.transactions).toEqual([]);
  });

  it('trims the newlines real createPaymentRequest answers carry inside Url', () => {
    const response = parseApiResponse(readFixture('api-payment-request-created.xml'));

    expect(response.url).toMatch(/^https:\/\/\S+$/);
    expect(response.paymentRequestId).toMatch(/^\S+$/);
  });

  it('reads an empty TransactionId as empty and dates that never happened verbatim', () => {
    const response = parseApiResponse(readFixture('callback-success-without-payment.xml'));

    expect(response.transactions[0]).toMatchObject({
      transactionId: '',
      updatedDate: '-0001-11-30 00:00:00',
    });
  });

  it('takes the last of a repeated descriptive element (an invoice document has two PaymentNature)', () => {
    const response = parseApiResponse(readFixture('callback-invoice-reservation.xml'));

    expect(response.transactions[0]?.paymentNature).toBe('Invoice');
  });

  it.each(['__proto__', 'constructor'])(
    'refuses %s as a TransactionId, which could not key the stored transactions',
    (id) => {
      const xml = readFixture('callback-reserved.xml').replace(
        /<TransactionId>[^<]*<\/TransactionId>/,
        `<TransactionId>${id}</TransactionId>`,
      );

      expect(() => parseApiResponse(xml)).toThrowError(
        /TransactionId must be text of at most 64 characters, other than a name JavaScript objects reserve/,
      );
    },
  );

  it('refuses a repeated element that decides money', () => {
    const doubled = readFixture('callback-reserved.xml').replace(
      '<ReservedAmount>349.95</ReservedAmount>',
      '<ReservedAmount>349.95</ReservedAmount><ReservedAmount>9999.00</ReservedAmount>',
    );

    expect(() => parseApiResponse(doubled)).toThrowError(/ReservedAmount/);
  });

  it('decodes the predefined entities and character references, and nothing else', () => {
    const response = parseApiResponse(
      '<APIResponse><Header><ErrorCode>0</ErrorCode><ErrorMessage>a &amp; b &lt;c&gt; &#229;</ErrorMessage></Header></APIResponse>',
    );

    expect(response.header.errorMessage).toBe('a & b <c> å');
  });

  it('keeps CDATA literal: an entity inside it is text, not a reference', () => {
    const response = parseApiResponse(
      '<APIResponse><Header><ErrorCode>0</ErrorCode><ErrorMessage> <![CDATA[Tom &amp; <Jerry>]]> </ErrorMessage></Header></APIResponse>',
    );

    expect(response.header.errorMessage).toBe('Tom &amp; <Jerry>');
  });

  it.each(['&#0;', '&#xD800;', '&#1114112;'])(
    'refuses the invalid character reference %s with a 400',
    (reference) => {
      const xml = `<APIResponse><Header><ErrorCode>0</ErrorCode><ErrorMessage>a ${reference}</ErrorMessage></Header></APIResponse>`;

      expect(() => parseApiResponse(xml)).toThrowError(
        expect.objectContaining({ status: 400, code: 'xml_malformed' }),
      );
    },
  );

  it('refuses a billion-laughs document in well under a millisecond per kilobyte', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from(
      { length: 9 },
      (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`,
    ).join('')}]><APIResponse>&lol9;</APIResponse>`;

    expect(() => parseApiResponse(bomb)).toThrowError(
      expect.objectContaining({ code: 'xml_doctype_forbidden' }),
    );
  });
});
