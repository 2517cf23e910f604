import { type X2jOptions, XMLParser, XMLValidator } from 'fast-xml-parser';
import * as z from 'zod/mini';
import { MalformedRequestError } from '../errors';
import type { GatewayErrorMessages } from '../payments/error-messages';
import { gatewayAmountSchema } from '../payments/money';
import { isStorableKey, reservedNames } from '../payments/payment';
import { describeIssue, rule } from '../validation';

/**
 * Reads AltaPay `APIResponse` documents (docs/altapay-protocol.md §6): the `xml` field of every callback and
 * every Merchant API answer. Tolerant of what real documents contain (BOM, padded CDATA, comments, empty and
 * unknown elements, 0..n transactions); intolerant of anything that makes XML dangerous.
 */

/** Elements that may repeat; everything else is read as a single value. */
export const repeatable: ReadonlySet<string> = new Set([
  'Action',
  'Transaction',
  'ChargebackEvent',
  'PaymentInfo',
  'ReconciliationIdentifier',
]);

/** Real documents nest about 7 deep; anything far deeper is an attack on the parser, not a payment. */
const maxDepth = 32;

/** How gateway documents are parsed (exported so a spec can hold `compact` to the library's own conversion). */
export const parserOptions = {
  // Nothing we read is an attribute; skipping them is a third of the parsing time.
  ignoreAttributes: true,
  // Values stay strings: '000000081' is an order id and '0.10' an exact amount, not numbers.
  parseTagValue: false,
  trimValues: true,
  // The parser decodes no entity at all: `decodeText` below decodes the five XML entities and
  // character references in the values we read, once. With DOCTYPE refused first, no document can
  // define an entity (billion laughs, external entities).
  processEntities: false,
  // CDATA is kept apart from text, because its content is literal and must not be decoded.
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: maxDepth,
  jPath: false,
  // The parser's own tree, in document order: `compact` below turns it into plain objects in one pass,
  // about half the parse's time and a quarter of its allocation less than the library's own conversion
  // (which tracks each element's path for options we do not use). bench/cpu-stages.ts measures both.
  preserveOrder: true,
} as const satisfies X2jOptions;

/** The one parser of gateway documents (exported so the bench can time it apart from the rest). */
export const parser = new XMLParser(parserOptions);

/** One node of the ordered tree: `{ Name: children }` for an element, `{ '#text': text }` for text. */
type OrderedNode = Readonly<Record<string, unknown>>;

/**
 * The ordered tree as plain objects, exactly as fast-xml-parser's own conversion makes them: an
 * element holding only text is that text, an empty one '', repeated elements an array (and the
 * `repeatable` ones always), text beside elements under '#text', a CDATA section under '#cdata'.
 * Element names were checked by the parser (it refuses `__proto__` and the like).
 */
export function compact(nodes: readonly OrderedNode[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  let text: string | undefined;
  for (const node of nodes) {
    let name: string | undefined;
    for (const key in node) {
      name = key;
      break;
    }
    if (name === undefined) continue;
    const content = node[name];
    if (name === '#text') {
      text = text === undefined ? String(content) : text + String(content);
      continue;
    }
    if (!Array.isArray(content)) continue;
    const children = compact(content as OrderedNode[]);
    const keys = Object.keys(children);
    const value: unknown =
      keys.length === 0
        ? ''
        : keys.length === 1 && children['#text'] !== undefined
          ? children['#text']
          : children;
    const earlier = object[name];
    if (earlier === undefined) object[name] = repeatable.has(name) ? [value] : value;
    else if (Array.isArray(earlier)) earlier.push(value);
    else object[name] = [earlier, value];
  }
  if (text !== undefined && text.length > 0) object['#text'] = text;
  return object;
}

/** Anything that declares a document type or entities, in any case, anywhere in the document. */
const doctype = /<!(DOCTYPE|ENTITY)/i;

const reference = /&(?:(amp|lt|gt|quot|apos)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));/g;
const predefined: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes XML's predefined entities and character references in element text; a bad reference is a 400. */
function decodeText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(
    reference,
    (_, name: string | undefined, decimal: string | undefined, hex: string | undefined) => {
      if (name !== undefined) return predefined[name] ?? '';
      const code = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex ?? '', 16);
      // XML allows neither NUL, surrogates nor anything past U+10FFFF.
      if (code === 0 || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) {
        throw new MalformedRequestError(
          'xml_malformed',
          `The xml field has an invalid character reference &#${decimal ?? `x${hex}`};.`,
        );
      }
      return String.fromCodePoint(code);
    },
  );
}

type Node = unknown;

/** The text of a CDATA section (one, or several in a row), literal. */
function cdataText(cdata: unknown): string {
  return Array.isArray(cdata) ? cdata.map(String).join('') : String(cdata);
}

/**
 * Text of a leaf element: `<A/>` → '', `<A>x &amp; y</A>` → 'x & y', `<A> <![CDATA[v]]> </A>` → 'v'.
 * Other shapes (child elements) are left for zod to refuse.
 */
function leafText(value: Node): Node {
  if (typeof value === 'string') return decodeText(value);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 0) return '';
    if (keys.every((key) => key === '#text' || key === '#cdata')) {
      // Text and CDATA mixed in one element (never seen in real documents) read text first.
      const text = typeof record['#text'] === 'string' ? decodeText(record['#text']) : '';
      return record['#cdata'] === undefined ? text : text + cdataText(record['#cdata']);
    }
  }
  return value;
}

/** A container element: `<Transactions/>` parses as '' and means the same as an absent element. */
function container(value: Node): Node {
  return value === '' ? undefined : value;
}

/**
 * Descriptive elements may repeat in real documents (one invoice sample has two PaymentNature
 * elements, 'CreditCard' then 'Invoice'): the last one wins. Elements that decide money or identity
 * (`leaf`, `amount`) must appear once; a repeat is refused as ambiguous.
 */
const lastOf = (value: Node): Node => leafText(Array.isArray(value) ? value.at(-1) : value);
/**
 * Zod's preprocess, in zod/mini: `reader` shapes the raw node, then the schema checks it. The casts are
 * the ones preprocess makes too: whatever the reader returns, the schema checks.
 */
const bounded = (max: number) =>
  rule(z.string().check(z.maxLength(max)), `must be text of at most ${max} characters`);
const leaf = (max = 2000) =>
  z.pipe(
    z.transform((node: unknown) => leafText(node) as string),
    bounded(max),
  );
/** A TransactionId keys the stored transactions, so it must be a storable key (payment.ts). */
const idLeaf = z.pipe(
  z.transform((node: unknown) => leafText(node) as string),
  rule(
    z.string().check(z.maxLength(64), z.refine(isStorableKey)),
    `must be text of at most 64 characters, other than ${reservedNames}`,
  ),
);
const optionalLeaf = (max = 2000) =>
  z.pipe(
    z.transform((node: unknown) => lastOf(node) as string | undefined),
    z.optional(bounded(max)),
  );
/** Missing or empty amounts mean zero (`<CapturedAmount/>` occurs in error answers). */
const amount = z.pipe(
  z.transform((node: unknown) => {
    const text = leafText(node);
    return (text === undefined || text === '' ? '0' : text) as string;
  }),
  gatewayAmountSchema,
);
/** An element that holds other elements. */
const parent = <T extends z.core.$ZodType>(schema: T) => rule(schema, 'must hold elements, not text');
const emptyAsUndefined = (value: string | undefined) => (value === '' ? undefined : value);

const chargebackEventSchema = parent(
  z.looseObject({
    Date: optionalLeaf(64),
    Type: optionalLeaf(64),
    ReasonCode: optionalLeaf(64),
    Reason: optionalLeaf(500),
    Amount: amount,
    Currency: optionalLeaf(8),
  }),
);

const chargebackEventsSchema = z.optional(
  parent(z.looseObject({ ChargebackEvent: z.optional(z.array(chargebackEventSchema)) })),
);

const transactionSchema = z.pipe(
  parent(
    z.looseObject({
      TransactionId: idLeaf,
      PaymentId: optionalLeaf(64),
      AuthType: optionalLeaf(64),
      CardStatus: optionalLeaf(64),
      CreditCardMaskedPan: optionalLeaf(32),
      ThreeDSecureResult: optionalLeaf(64),
      LiableForChargeback: optionalLeaf(64),
      ShopOrderId: leaf(200),
      Terminal: optionalLeaf(200),
      TransactionStatus: leaf(64),
      ReasonCode: optionalLeaf(64),
      MerchantCurrency: leaf(3),
      MerchantCurrencyAlpha: optionalLeaf(3),
      ReservedAmount: amount,
      CapturedAmount: amount,
      RefundedAmount: amount,
      CreatedDate: optionalLeaf(32),
      UpdatedDate: optionalLeaf(32),
      PaymentNature: optionalLeaf(64),
      PaymentSchemeName: optionalLeaf(64),
      FraudRiskScore: optionalLeaf(32),
      FraudRecommendation: optionalLeaf(32),
      ChargebackEvents: z.pipe(
        z.transform((node: unknown) => container(node) as z.input<typeof chargebackEventsSchema>),
        chargebackEventsSchema,
      ),
    }),
  ),
  z.transform((t) => ({
    transactionId: t.TransactionId,
    paymentId: emptyAsUndefined(t.PaymentId),
    authType: emptyAsUndefined(t.AuthType),
    transactionStatus: t.TransactionStatus,
    shopOrderId: t.ShopOrderId,
    terminal: emptyAsUndefined(t.Terminal),
    currencyNumeric: t.MerchantCurrency,
    currencyAlpha: emptyAsUndefined(t.MerchantCurrencyAlpha),
    reservedAmount: t.ReservedAmount,
    capturedAmount: t.CapturedAmount,
    refundedAmount: t.RefundedAmount,
    maskedPan: emptyAsUndefined(t.CreditCardMaskedPan),
    cardStatus: emptyAsUndefined(t.CardStatus),
    threeDSecureResult: emptyAsUndefined(t.ThreeDSecureResult),
    liableForChargeback: emptyAsUndefined(t.LiableForChargeback),
    reasonCode: emptyAsUndefined(t.ReasonCode),
    paymentNature: emptyAsUndefined(t.PaymentNature),
    paymentSchemeName: emptyAsUndefined(t.PaymentSchemeName),
    fraudRiskScore: emptyAsUndefined(t.FraudRiskScore),
    fraudRecommendation: emptyAsUndefined(t.FraudRecommendation),
    createdDate: emptyAsUndefined(t.CreatedDate),
    // 'YYYY-MM-DD HH:MM:SS' in the gateway's time zone; sorts as text. Missing sorts first.
    updatedDate: t.UpdatedDate ?? '',
    chargebacks: (t.ChargebackEvents?.ChargebackEvent ?? []).map((event) => ({
      date: emptyAsUndefined(event.Date),
      type: emptyAsUndefined(event.Type),
      reasonCode: emptyAsUndefined(event.ReasonCode),
      reason: emptyAsUndefined(event.Reason),
      amount: event.Amount,
      currency: emptyAsUndefined(event.Currency),
    })),
  })),
);

const maxTransactions = 100;

/** A `<Transactions>` element, wherever it appears; empty or absent means none. */
const transactionsSchema = z.pipe(
  z.transform((node: unknown) => container(node) as { Transaction?: unknown } | undefined),
  z.optional(
    parent(
      z.looseObject({
        Transaction: z.optional(
          rule(
            z.array(transactionSchema).check(z.maxLength(maxTransactions)),
            `must hold at most ${maxTransactions} transactions`,
          ),
        ),
      }),
    ),
  ),
);

/** A multi-payment answer lists each payment's transactions under its own `Body/Actions/Action`. */
const actionsSchema = z.pipe(
  z.transform((node: unknown) => container(node) as { Action?: unknown } | undefined),
  z.optional(
    parent(
      z.looseObject({
        Action: z.optional(
          rule(
            z
              .array(parent(z.looseObject({ Transactions: transactionsSchema })))
              .check(z.maxLength(maxTransactions)),
            `must hold at most ${maxTransactions} actions`,
          ),
        ),
      }),
    ),
  ),
);

const bodySchema = z
  .pipe(
    parent(
      z.looseObject({
        Result: optionalLeaf(64),
        MerchantErrorMessage: optionalLeaf(2000),
        CardHolderErrorMessage: optionalLeaf(2000),
        CardHolderMessageMustBeShown: optionalLeaf(8),
        PaymentRequestId: optionalLeaf(128),
        Url: optionalLeaf(2000),
        Transactions: transactionsSchema,
        Actions: actionsSchema,
      }),
    ),
    z.transform(({ Transactions, Actions, ...body }) => ({
      ...body,
      // A document lists its transactions in one place or the other; should it use both, all count.
      transactions: [
        ...(Transactions?.Transaction ?? []),
        ...(Actions?.Action ?? []).flatMap((action) => action.Transactions?.Transaction ?? []),
      ],
    })),
  )
  .check(
    z.refine((body) => body.transactions.length <= maxTransactions, {
      message: `must hold at most ${maxTransactions} transactions in all`,
    }),
  );

const apiResponseSchema = z.pipe(
  z.strictObject({
    APIResponse: z.looseObject({
      Header: parent(
        z.looseObject({
          Date: optionalLeaf(64),
          Path: optionalLeaf(2000),
          ErrorCode: leaf(32),
          ErrorMessage: optionalLeaf(2000),
        }),
      ),
      Body: z.pipe(
        z.transform((node: unknown) => container(node) as z.input<typeof bodySchema> | undefined),
        z.optional(bodySchema),
      ),
    }),
  }),
  z.transform(({ APIResponse: { Header: header, Body: body } }) => ({
    header: {
      date: emptyAsUndefined(header.Date),
      path: emptyAsUndefined(header.Path),
      errorCode: header.ErrorCode,
      errorMessage: emptyAsUndefined(header.ErrorMessage),
    },
    result: emptyAsUndefined(body?.Result),
    merchantErrorMessage: emptyAsUndefined(body?.MerchantErrorMessage),
    cardHolderErrorMessage: emptyAsUndefined(body?.CardHolderErrorMessage),
    cardHolderMessageMustBeShown: body?.CardHolderMessageMustBeShown?.toLowerCase() === 'true',
    // Real createPaymentRequest answers have newlines inside these (docs/altapay-protocol.md §8.2).
    paymentRequestId: emptyAsUndefined(body?.PaymentRequestId?.trim()),
    url: emptyAsUndefined(body?.Url?.trim()),
    transactions: body?.transactions ?? [],
  })),
);

/** A parsed `APIResponse`: the header, the body's common fields and its 0..n transactions. */
export type ApiResponse = z.output<typeof apiResponseSchema>;
/**
 * One `Transaction` of the body or of one of its actions, normalised (empty elements are undefined,
 * amounts default to '0'). The document's error messages are the body's, not the transaction's: a
 * callback hands them to the transaction it is about (record-callback.ts).
 */
export type GatewayTransaction = ApiResponse['transactions'][number] & GatewayErrorMessages;

/** What makes the document ill-formed, with its position, or undefined when it is well-formed. */
export function validationProblem(document: string): string | undefined {
  const validation = XMLValidator.validate(document);
  if (validation === true) return undefined;
  const { msg, line, col } = validation.err;
  const unclosed = /^Invalid '\[(.*)\]' found/s.exec(msg)?.[1]?.replace(/[\s"]/g, '');
  return `${unclosed ? `unclosed element ${unclosed.split(',').at(-1)}` : msg} (line ${line}, column ${col})`;
}

/**
 * Parses and validates an `APIResponse` document. Throws MalformedRequestError (400) with a precise
 * message for anything that is not a well-formed, DOCTYPE-free APIResponse of the expected shape.
 */
export function parseApiResponse(xml: string): ApiResponse {
  const document = xml.startsWith('\uFEFF') ? xml.slice(1) : xml;
  if (doctype.test(document)) {
    throw new MalformedRequestError(
      'xml_doctype_forbidden',
      'The xml field must not contain a DOCTYPE or ENTITY.',
    );
  }
  // Parse before validating: the parser stops at the depth limit at once, where the validator would
  // walk the whole of a deeply nested document first.
  let tree: unknown;
  try {
    tree = compact(parser.parse(document) as OrderedNode[]);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    // The parser's own messages name its internals; say what is wrong with the document instead.
    const message = /nested/i.test(reason)
      ? `elements are nested more than ${maxDepth} deep`
      : (validationProblem(document) ?? 'it is not well-formed XML');
    throw new MalformedRequestError('xml_malformed', `The xml field cannot be read: ${message}.`, { cause });
  }
  const problem = validationProblem(document);
  if (problem !== undefined) {
    throw new MalformedRequestError('xml_malformed', `The xml field is not well-formed XML: ${problem}.`);
  }
  const root = typeof tree === 'object' && tree !== null ? (tree as Record<string, unknown>) : {};
  if (Object.keys(root).join() !== 'APIResponse' || Array.isArray(root.APIResponse)) {
    throw new MalformedRequestError(
      'xml_malformed',
      'The xml field must have one root element, <APIResponse>.',
    );
  }
  const result = apiResponseSchema.safeParse(tree, { reportInput: true });
  if (!result.success)
    throw new MalformedRequestError(
      ...describeIssue(result.error, apiResponseSchema, { field: 'XML element', whole: 'The xml field' }),
    );
  return result.data;
}
