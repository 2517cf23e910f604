import { XMLParser, XMLValidator } from 'fast-xml-parser';
import * as z from 'zod';
import { MalformedRequestError } from '../errors';
import { decimalAmountPattern } from '../payments/money';
import { describeIssue } from '../validation';

/**
 * Reads AltaPay `APIResponse` documents (reference §5): the `xml` field of every callback and every
 * Merchant API answer. Tolerant of what real documents contain (BOM, padded CDATA, comments, empty
 * and unknown elements, 0..n transactions); intolerant of anything that makes XML dangerous.
 */

/** Elements that may repeat; everything else is read as a single value. */
const repeatable = new Set(['Transaction', 'ChargebackEvent', 'PaymentInfo', 'ReconciliationIdentifier']);

/** Real documents nest about 7 deep; anything far deeper is an attack on the parser, not a payment. */
const maxDepth = 32;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Values stay strings: '000000081' is an order id and '0.10' an exact amount, not numbers.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Character references (&#229;) and fixed, built-in entity tables only: DOCTYPE is refused first,
  // so no document can define an entity (billion laughs, external entities).
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: maxDepth,
  isArray: (name) => repeatable.has(name),
});

/** Anything that declares a document type or entities, in any case, anywhere in the document. */
const doctype = /<!(DOCTYPE|ENTITY)/i;

type Node = unknown;

/** Text of a leaf element: `<A/>` → '', `<A x="1">v</A>` → 'v'. Other shapes are left for zod to refuse. */
function leafText(value: Node): Node {
  if (value === undefined || typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    if ('#text' in record) return record['#text'];
    if (Object.keys(record).every((key) => key.startsWith('@_'))) return '';
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
const leaf = (max = 2000) => z.preprocess(leafText, z.string().max(max, `must be at most ${max} characters`));
const optionalLeaf = (max = 2000) =>
  z.preprocess(lastOf, z.string().max(max, `must be at most ${max} characters`).optional());
/** Missing or empty amounts mean zero (`<CapturedAmount/>` occurs in error answers). */
const amount = z.preprocess(
  leafText,
  z
    .string()
    .optional()
    .transform((value) => (value === undefined || value === '' ? '0' : value))
    .pipe(z.string().regex(decimalAmountPattern, 'must be a dot-decimal amount such as 123.45')),
);
const emptyAsUndefined = (value: string | undefined) => (value === '' ? undefined : value);

const chargebackEventSchema = z.looseObject({
  Date: optionalLeaf(64),
  Type: optionalLeaf(64),
  ReasonCode: optionalLeaf(64),
  Reason: optionalLeaf(500),
  Amount: amount,
  Currency: optionalLeaf(8),
});

const transactionSchema = z
  .looseObject({
    TransactionId: leaf(64),
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
    ChargebackEvents: z.preprocess(
      container,
      z.looseObject({ ChargebackEvent: z.array(chargebackEventSchema).optional() }).optional(),
    ),
  })
  .transform((t) => ({
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
  }));

const bodySchema = z.looseObject({
  Result: optionalLeaf(64),
  MerchantErrorMessage: optionalLeaf(2000),
  CardHolderErrorMessage: optionalLeaf(2000),
  CardHolderMessageMustBeShown: optionalLeaf(8),
  PaymentRequestId: optionalLeaf(128),
  Url: optionalLeaf(2000),
  Transactions: z.preprocess(
    container,
    z.looseObject({ Transaction: z.array(transactionSchema).max(100).optional() }).optional(),
  ),
});

const apiResponseSchema = z
  .strictObject({
    APIResponse: z.looseObject({
      '@_version': z.string().optional(),
      Header: z.looseObject({
        Date: optionalLeaf(64),
        Path: optionalLeaf(2000),
        ErrorCode: leaf(32),
        ErrorMessage: optionalLeaf(2000),
      }),
      Body: z.preprocess(container, bodySchema.optional()),
    }),
  })
  .transform(({ APIResponse: { Header: header, Body: body, ...rest } }) => ({
    version: rest['@_version'],
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
    // Real createPaymentRequest answers carry newlines and indentation inside these (reference §5).
    paymentRequestId: emptyAsUndefined(body?.PaymentRequestId?.trim()),
    url: emptyAsUndefined(body?.Url?.trim()),
    transactions: body?.Transactions?.Transaction ?? [],
  }));

/** A parsed `APIResponse`: the header, the body's common fields and its 0..n transactions. */
export type ApiResponse = z.output<typeof apiResponseSchema>;
/** One `Body/Transactions/Transaction`, normalised (empty elements are undefined, amounts default to '0'). */
export type GatewayTransaction = ApiResponse['transactions'][number];

/** What makes the document ill-formed, with its position, or undefined when it is well-formed. */
function validationProblem(document: string): string | undefined {
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
    tree = parser.parse(document);
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
  if (!result.success) throw new MalformedRequestError(...describeIssue(result.error, 'XML element'));
  return result.data;
}
