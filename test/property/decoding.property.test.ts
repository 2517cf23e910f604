import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseApiResponse } from '../../shared/altapay/api-response';
import { checksumMatches, computeChecksum } from '../../shared/altapay/checksum';
import { decodeFormBody, encodeFormBody } from '../../shared/altapay/form-body';
import { ClientError, MalformedRequestError } from '../../shared/errors';
import { readFixture } from '../support/gateway';
import { propertyRuns } from './runs';

/** Only a deliberate 400 may come out of reading hostile input: never a TypeError, never a 500. */
function onlyClientErrors(read: () => unknown): void {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).status).toBe(400);
  }
}

describe('the form decoder, on generated input', () => {
  it('never fails with anything but a 400 on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (body) => onlyClientErrors(() => decodeFormBody(body))),
      {
        numRuns: propertyRuns,
      },
    );
  });

  it('never fails with anything but a 400 on arbitrary text made of form punctuation', () => {
    const formish = fc.string({
      unit: fc.constantFrom('a', '=', '&', '%', '+', '2', 'F', 'C', '3', 'é', '\u0000'),
    });
    fc.assert(
      fc.property(formish, (text) => onlyClientErrors(() => decodeFormBody(new TextEncoder().encode(text)))),
      { numRuns: propertyRuns },
    );
  });

  it('reads back exactly the fields that were encoded, whatever their characters', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.string({ minLength: 1 }), fc.string()), {
          selector: ([k]) => k,
          maxLength: 15,
        }),
        (pairs) => {
          const fields = Object.fromEntries(pairs);
          expect([...decodeFormBody(new TextEncoder().encode(encodeFormBody(fields)))]).toEqual([
            ...new URLSearchParams(encodeFormBody(fields)),
          ]);
        },
      ),
      { numRuns: propertyRuns },
    );
  });
});

describe('the checksum, on generated input', () => {
  const fields = fc.record({ amount: fc.string(), currency: fc.string(), shop_orderid: fc.string() });

  it('accepts its own checksum and refuses it under any other secret', () => {
    fc.assert(
      fc.property(fields, fc.string(), fc.string(), (f, secret, other) => {
        const checksum = computeChecksum(f, secret);
        expect(checksum).toMatch(/^[0-9a-f]{32}$/);
        expect(checksumMatches(f, checksum, [secret])).toBe(true);
        if (other !== secret) expect(checksumMatches(f, checksum, [other])).toBe(false);
      }),
      { numRuns: propertyRuns },
    );
  });

  it('refuses every one-character change and every truncation of a genuine checksum', () => {
    fc.assert(
      fc.property(
        fields,
        fc.string(),
        fc.nat({ max: 31 }),
        fc.constantFrom(...'0123456789abcdef'),
        (f, secret, at, digit) => {
          const checksum = computeChecksum(f, secret);
          const changed = checksum.slice(0, at) + digit + checksum.slice(at + 1);
          expect(checksumMatches(f, changed, [secret])).toBe(changed === checksum);
          expect(checksumMatches(f, checksum.slice(0, at), [secret])).toBe(false);
        },
      ),
      { numRuns: propertyRuns },
    );
  });
});

describe('the XML parser, on generated input', () => {
  it('never fails with anything but a 400 on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (xml) => onlyClientErrors(() => parseApiResponse(xml))),
      {
        numRuns: propertyRuns,
      },
    );
  });

  it('never fails with anything but a 400 on gateway-shaped documents with random damage', () => {
    const documents = [
      readFixture('callback-subscription-reserved.xml'),
      readFixture('callback-declined-message-must-be-shown.xml'),
      readFixture('callback-chargeback-with-bom.xml'),
    ];
    const damage = fc.record({
      document: fc.nat({ max: documents.length - 1 }),
      at: fc.nat(),
      cut: fc.nat({ max: 40 }),
      insert: fc.string({
        maxLength: 12,
        unit: fc.constantFrom('<', '>', '/', '&', ';', '!', '[', ']', '"', 'a', ' ', 'D'),
      }),
    });
    fc.assert(
      fc.property(damage, ({ document, at, cut, insert }) => {
        const xml = documents[document] ?? '';
        const position = at % (xml.length + 1);
        onlyClientErrors(() => parseApiResponse(xml.slice(0, position) + insert + xml.slice(position + cut)));
      }),
      { numRuns: propertyRuns },
    );
  });

  it('keeps any text it is given exactly, once escaped as the gateway escapes it', () => {
    const xmlEscape = (s: string) =>
      s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
    // XML 1.0 allows neither control characters (but tab and newlines) nor lone surrogates in a document.
    const allowedInXml = (ch: string) => {
      const code = ch.codePointAt(0) ?? 0;
      return (
        (code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) &&
        (code < 0xd800 || code > 0xdfff) &&
        code < 0xfffe
      );
    };
    const text = fc.string({ maxLength: 60 }).map((s) => [...s].filter(allowedInXml).join('').trim());
    fc.assert(
      fc.property(text, (message) => {
        const xml = `<APIResponse><Header><ErrorCode>0</ErrorCode><ErrorMessage>${xmlEscape(message)}</ErrorMessage></Header></APIResponse>`;
        expect(parseApiResponse(xml).header.errorMessage ?? '').toBe(message);
      }),
      { numRuns: propertyRuns },
    );
  });

  it('refuses any document that declares a DOCTYPE or an ENTITY, however it is spelled', () => {
    const spelled = fc.tuple(
      fc.constantFrom('DOCTYPE', 'doctype', 'DocType', 'ENTITY', 'entity'),
      fc.string({ maxLength: 40 }),
    );
    fc.assert(
      fc.property(spelled, ([keyword, rest]) => {
        expect(() => parseApiResponse(`<?xml version="1.0"?><!${keyword}${rest}<APIResponse/>`)).toThrow(
          MalformedRequestError,
        );
      }),
      { numRuns: propertyRuns },
    );
  });
});
