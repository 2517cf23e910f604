import { MalformedRequestError } from '../errors';

/** More fields than any real callback carries (about 40 with transaction_info) but bounded. */
const maxFields = 200;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes an `application/x-www-form-urlencoded` body exactly once (docs/altapay-protocol.md §9.9: decoding
 * twice corrupts `+` in tokens). Strict where lenient parsers guess: the bytes must be UTF-8, every %-escape
 * must be valid, and a field may appear only once, because two `amount`s would let the checksum and the
 * business logic read different values.
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

/** Hex digit values by character code; -1 for anything that is not a hex digit. */
const hexValue = new Int8Array(128).fill(-1);
for (const [digits, base] of [
  ['0123456789', 0],
  ['abcdef', 10],
  ['ABCDEF', 10],
] as const) {
  for (let i = 0; i < digits.length; i++) hexValue[digits.charCodeAt(i)] = base + i;
}

/** One scratch buffer for every value: a callback's xml is a few KB, decoded on every callback. */
let scratch = new Uint8Array(16 * 1024);

/**
 * `+` → space, then %-escapes → bytes → strict UTF-8: what `decodeURIComponent(raw.replaceAll('+', ' '))`
 * does, with the same refusals (malformed escapes, escapes of invalid UTF-8), in one pass. The xml
 * field holds a thousand `+` and hundreds of escapes; the two-step version cost a callback about
 * 90 µs and 60 KB of garbage, this one about 35 µs.
 */
function percentDecode(raw: string, what: string): string {
  if (!raw.includes('%') && !raw.includes('+')) return raw;
  if (raw.length > scratch.length) scratch = new Uint8Array(raw.length);
  let length = 0;
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (code === 0x25 /* % */) {
      const high = hexValue[raw.charCodeAt(i + 1)] ?? -1;
      const low = hexValue[raw.charCodeAt(i + 2)] ?? -1;
      if (high < 0 || low < 0) throw brokenEncoding(what);
      scratch[length++] = (high << 4) | low;
      i += 2;
    } else if (code === 0x2b /* + */) {
      scratch[length++] = 0x20;
    } else if (code < 0x80) {
      scratch[length++] = code;
    } else {
      // Unescaped non-ASCII (a client that skipped encoding): rare; the platform's decoder handles
      // surrogate pairs and mixed content the same way.
      return platformDecode(raw, what);
    }
  }
  try {
    return escapedUtf8.decode(scratch.subarray(0, length));
  } catch (cause) {
    throw brokenEncoding(what, cause);
  }
}

function platformDecode(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch (cause) {
    // decodeURIComponent rejects both malformed escapes ('%G1', '%') and escapes of invalid UTF-8 ('%FF').
    throw brokenEncoding(what, cause);
  }
}

/** Like decodeURIComponent: escaped bytes must be UTF-8, and a leading BOM is kept, not dropped. */
const escapedUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function brokenEncoding(what: string, cause?: unknown): MalformedRequestError {
  return new MalformedRequestError(
    'invalid_encoding',
    `The value of ${what} has a broken %-encoding.`,
    cause === undefined ? undefined : { cause },
  );
}

/** Encodes fields as a form body the way the gateway and browsers do (spaces as '+'). */
export function encodeFormBody(fields: Readonly<Record<string, string>>): string {
  return new URLSearchParams(fields).toString();
}
