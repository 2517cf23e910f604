import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseApiResponse } from '../../shared/altapay/api-response';
import { readSample, readSamplePayload, samplesDir } from '../support/gateway';

const xmlSamples = readdirSync(samplesDir).filter((name) => name.endsWith('.xml'));
const payloadSamples = readdirSync(samplesDir).filter((name) => name.endsWith('.json'));

describe('reading APIResponse documents', () => {
  it('has the whole real-world corpus to read (28 documents and 4 callback payloads)', () => {
    expect(xmlSamples).toHaveLength(28);
    expect(payloadSamples).toHaveLength(4);
  });

  it.each(xmlSamples)('reads %s', (name) => {
    const response = parseApiResponse(readSample(name));

    expect(response.header.errorCode).toMatch(/^\d+$/);
    for (const t of response.transactions) {
      expect(t.reservedAmount).toMatch(/^\d+(\.\d+)?$/);
      expect(t.transactionStatus).not.toBe('');
    }
  });

  it.each(payloadSamples.filter((name) => readSamplePayload(name).xml !== undefined))(
    'reads the xml field of %s',
    (name) => {
      expect(() => parseApiResponse(readSamplePayload(name).xml ?? '')).not.toThrow();
    },
  );

  it('reads a document that starts with a UTF-8 BOM and keeps non-ASCII CDATA text', () => {
    const response = parseApiResponse(
      readSample('sdk-csharp__AltaPayApi__AltaPayApi.Tests__Unit__txt__ChargebackEvent.xml'),
    );

    expect(response.result).toBe('ChargebackEvent');
    expect(response.transactions[0]?.chargebacks[0]).toMatchObject({
      reasonCode: '4837',
      amount: '10420.00',
      currency: 'SEK',
    });
  });

  it('keeps ids and amounts as exact strings (leading zeros, trailing zeros)', () => {
    const response = parseApiResponse(
      readSample('sdk-php__example__xml__CallbackXML_reservationAndCapture.xml'),
    );

    expect(response.transactions[0]).toMatchObject({
      shopOrderId: '000000081',
      currencyNumeric: '208',
      reservedAmount: '139.00',
      capturedAmount: '139.00',
      maskedPan: '411111**********1111',
      fraudRecommendation: 'Deny',
    });
  });

  it('reads 0..n transactions: none, one, two', () => {
    const counts = [
      'sdk-csharp__AltaPayApi.Tests__Unit__MerchantApi_ParsePostBackXmlResponseTests.cs__inline_result_error_no_transactions.xml',
      'sdk-python__tests__xml__200_callback_single.xml',
      'sdk-python__tests__xml__200_callback_multiple.xml',
    ].map((name) => parseApiResponse(readSample(name)).transactions.length);

    expect(counts).toEqual([0, 1, 2]);
  });

  it('reads a header error with no body, and one with an empty body', () => {
    expect(
      parseApiResponse(readSample('api-php__tests__Api__Results__header_error.xml')).header.errorCode,
    ).toBe('200');
    const empty = parseApiResponse(readSample('sdk-ruby__spec__support__fixtures__bad_request_error.xml'));
    expect(empty.header.errorCode).toBe('234');
    expect(empty.transactions).toEqual([]);
  });

  it('trims the newlines real createPaymentRequest answers carry inside Url', () => {
    const response = parseApiResponse(readSample('api-php__tests__Api__Results__paymentrequest.xml'));

    expect(response.url).toMatch(/^https:\/\/\S+$/);
    expect(response.paymentRequestId).toMatch(/^\S+$/);
  });

  it('reads an empty TransactionId as empty and dates that never happened verbatim', () => {
    const response = parseApiResponse(
      readSample('sdk-php__test__unit__AltapayCallbackHandlerTest.php__inline_created_empty_tx.xml'),
    );

    expect(response.transactions[0]).toMatchObject({
      transactionId: '',
      updatedDate: '-0001-11-30 00:00:00',
    });
  });

  it('takes the last of a repeated descriptive element (an invoice sample has two PaymentNature)', () => {
    const response = parseApiResponse(readSample('api-php__tests__Api__Results__invoicereservation.xml'));

    expect(response.transactions[0]?.paymentNature).toBe('Invoice');
  });

  it('refuses a repeated element that decides money', () => {
    const doubled = readSample('sdk-python__tests__xml__200_callback_single.xml').replace(
      '<ReservedAmount>13.29</ReservedAmount>',
      '<ReservedAmount>13.29</ReservedAmount><ReservedAmount>9999.00</ReservedAmount>',
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
