import { MalformedRequestError } from '../errors';

/** More fields than any real callback carries (about 40 with transaction_info) but bounded. */
const maxFields = 200;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes an `application/x-www-form-urlencoded` body exactly once (reference §6.9: decoding twice
 * corrupts `+` in tokens). Strict where lenient parsers guess: the bytes must be UTF-8, every
 * %-escape must be valid, and a field may appear only once, because two `amount`s would let the
 * checksum and the business logic read different values.
 */
export function decodeFormBody(body: Uint8Array): ReadonlyMap<string, string> {
  const text = decodeUtf8(body);
  const fields = new Map<string, string>();
  if (text === '') return fields;
  const pairs = text.split('&');
  if (pairs.length > maxFields) {
    throw new MalformedRequestError('too_many_fields', `Form body has more than ${maxFields} fields.`);
  }
  for (const pair of pairs) {
    if (pair === '') continue; // tolerate 'a=1&&b=2' and a trailing '&', as browsers do
    const equals = pair.indexOf('=');
    const rawName = equals === -1 ? pair : pair.slice(0, equals);
    const rawValue = equals === -1 ? '' : pair.slice(equals + 1);
    const name = percentDecode(rawName, 'a field name');
    const value = percentDecode(rawValue, `field ${JSON.stringify(name)}`);
    if (fields.has(name)) {
      throw new MalformedRequestError(
        'repeated_field',
        `Field ${JSON.stringify(name)} appears more than once.`,
      );
    }
    fields.set(name, value);
  }
  return fields;
}

/** The body as text; bytes that are not UTF-8 are a 400, never replaced with U+FFFD. */
export function decodeUtf8(body: Uint8Array): string {
  try {
    return strictUtf8.decode(body);
  } catch (cause) {
    throw new MalformedRequestError('invalid_encoding', 'Request body is not valid UTF-8.', { cause });
  }
}

function percentDecode(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch (cause) {
    // decodeURIComponent rejects both malformed escapes ('%G1', '%') and escapes of invalid UTF-8 ('%FF').
    throw new MalformedRequestError('invalid_encoding', `The value of ${what} has a broken %-encoding.`, {
      cause,
    });
  }
}

/** Encodes fields as a form body the way the gateway and browsers do (spaces as '+'). */
export function encodeFormBody(fields: Readonly<Record<string, string>>): string {
  return new URLSearchParams(fields).toString();
}
