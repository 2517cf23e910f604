import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFormBody, encodeFormBody } from '../../shared/altapay/form-body';
import { ClientError } from '../../shared/errors';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('decoding a form body', () => {
  it('decodes once: "+" is a space, "%2B" is a plus that survives (tokens keep their "+")', () => {
    const fields = decodeFormBody(bytes('token=bm7o%2BEl8%3D%3D%2B1&name=Jens+Hansen'));

    expect(fields.get('token')).toBe('bm7o+El8==+1');
    expect(fields.get('name')).toBe('Jens Hansen');
  });

  it('keeps bracketed keys, empty values and non-ASCII text as sent', () => {
    const fields = decodeFormBody(bytes('transaction_info%5Bref%5D=A1&error_message=&city=%C3%96rebro'));

    expect(fields.get('transaction_info[ref]')).toBe('A1');
    expect(fields.get('error_message')).toBe('');
    expect(fields.get('city')).toBe('Örebro');
  });

  it('reads an empty body as no fields and tolerates stray "&"', () => {
    expect(decodeFormBody(bytes('')).size).toBe(0);
    expect([...decodeFormBody(bytes('&a=1&&b=2&'))]).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
  });

  it.each([
    ['bytes that are not UTF-8', Uint8Array.from([0x61, 0x3d, 0xff]), 'invalid_encoding'],
    ['a malformed escape', bytes('a=%G1'), 'invalid_encoding'],
    ['a lone percent sign', bytes('a=100%'), 'invalid_encoding'],
    ['an escape of invalid UTF-8', bytes('a=%C3'), 'invalid_encoding'],
    ['a repeated field', bytes('amount=1&amount=2'), 'repeated_field'],
    [
      'more than 200 fields',
      bytes(Array.from({ length: 201 }, (_, i) => `f${i}=1`).join('&')),
      'too_many_fields',
    ],
  ])('refuses %s', (_, body, code) => {
    expect(() => decodeFormBody(body)).toThrowError(expect.objectContaining({ status: 400, code }));
  });

  it('round-trips any fields the gateway could send', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.string(), { maxKeys: 20 }), (fields) => {
        const decoded = decodeFormBody(bytes(encodeFormBody(fields)));
        expect(Object.fromEntries(decoded)).toEqual({ ...fields });
      }),
      { numRuns: 2_000 },
    );
  });

  it('never fails with anything but a 400 on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (body) => {
        try {
          decodeFormBody(body);
        } catch (error) {
          expect(error).toBeInstanceOf(ClientError);
          expect((error as ClientError).status).toBe(400);
        }
      }),
      { numRuns: 5_000 },
    );
  });

  it('decodes a value exactly as decodeURIComponent does after "+" → space, refusing what it refuses', () => {
    // Escapes of arbitrary bytes (overlong forms, surrogates, a BOM, stray continuation bytes) mixed
    // with broken escapes, "+" and plain text.
    const escapedByte = fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, '0')}`);
    const piece = fc.oneof(
      escapedByte,
      fc.constantFrom('+', '%', '%4', '%G1', '%e', 'a', 'Z', '0', '~', '%EF%BB%BF', '%C0%AF', '%ED%A0%80'),
      fc.string({ maxLength: 3 }).filter((text) => !/[&=%+]/.test(text)),
    );
    const reference = (raw: string): string | 'refused' => {
      try {
        return decodeURIComponent(raw.replaceAll('+', ' '));
      } catch {
        return 'refused';
      }
    };
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join('')),
        (raw) => {
          let decoded: string | 'refused';
          try {
            decoded = decodeFormBody(bytes(`v=${raw}`)).get('v') ?? '';
          } catch (error) {
            expect(error).toEqual(expect.objectContaining({ status: 400, code: 'invalid_encoding' }));
            decoded = 'refused';
          }
          expect(decoded).toBe(reference(raw));
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
