/**
 * Pure builders of the documents the AltaPay gateway sends: `APIResponse` XML (Merchant API answers and the
 * `xml` callback field) and the callback form fields (docs/altapay-protocol.md §4, §6). Shared by the
 * simulator, the trigger CLI and tests, so all three speak exactly the same dialect. Element names, order and
 * value styles follow AltaPay's own SDK test documents (docs/altapay-protocol.md §6.7).
 */
import { computeChecksum } from '../../shared/altapay/checksum';
import type { Currency } from '../../shared/altapay/currency';

/** One gateway transaction as the simulator holds it; dates are `YYYY-MM-DD HH:MM:SS`, gateway time. */
export interface SimTransaction {
  transactionId: string;
  paymentId: string;
  authType: string;
  shopOrderId: string;
  terminal: string;
  transactionStatus: string;
  currencyNumeric: string;
  currencyAlpha: string;
  reservedAmount: string;
  capturedAmount: string;
  refundedAmount: string;
  /** Empty when no card was used (invoice, cancelled before the card form): no card elements then. */
  maskedPan: string;
  creditCardToken: string;
  blacklistToken: string;
  createdDate: string;
  updatedDate: string;
  paymentNature: string;
  paymentSchemeName: string;
  cardHolder?: {
    email?: string;
    firstName?: string;
    lastName?: string;
    address?: string;
    city?: string;
    postalCode?: string;
    country?: string;
  };
  /** The merchant's `transaction_info[k]`, echoed as `PaymentInfos/PaymentInfo[@name]`. */
  paymentInfos?: Readonly<Record<string, string>>;
  /** One per capture and refund, as `ReconciliationIdentifiers` in real documents. */
  reconciliationIdentifiers?: readonly { id: string; amount: string; type: string; date: string }[];
}

/** The API version real callbacks of this era carry (`sdk-php` reservationAndCapture sample). */
const apiVersion = '20170228';
const shopName = 'AltaPay Test Shop';

/** The test card every simulated card payment uses (a Visa test PAN, masked as the gateway masks it). */
export const testCard = {
  maskedPan: '457199******4512',
  scheme: 'Visa',
  expiryMonth: '12',
  /** Stable per card, like the gateway's: it identifies the card, not the payment. */
  blacklistToken: '0f4c0b1a6c8d3e2f9a7b5c4d3e2f1a0b9c8d7e6f',
} as const;

// --- time -------------------------------------------------------------------------------------------

// The gateway runs on Danish time: Header/Date carries the offset, CreatedDate/UpdatedDate do not.
const gatewayClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Copenhagen',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'longOffset',
});

function clockParts(date: Date): { local: string; offset: string } {
  const parts: Record<string, string> = {};
  for (const part of gatewayClock.formatToParts(date)) parts[part.type] = part.value;
  const { year, month, day, hour, minute, second, timeZoneName = 'GMT' } = parts;
  const offset = timeZoneName === 'GMT' ? '+00:00' : timeZoneName.replace('GMT', '');
  return { local: `${year}-${month}-${day} ${hour}:${minute}:${second}`, offset };
}

/** A transaction date as the gateway writes it: `YYYY-MM-DD HH:MM:SS`, Danish time, no zone. */
export function gatewayDateTime(date: Date): string {
  return clockParts(date).local;
}

/** A Header/Date value: ISO 8601 with the Danish offset, e.g. `2026-11-20T10:00:00+01:00`. */
export function gatewayTimestamp(date: Date): string {
  const { local, offset } = clockParts(date);
  return `${local.replace(' ', 'T')}${offset}`;
}

// --- money ------------------------------------------------------------------------------------------

/** Formats integer minor units with the currency's exponent, as the gateway does ('13.29', JPY '100'). */
export function formatMinorUnits(minor: bigint, exponent: number): string {
  const digits = (minor < 0n ? -minor : minor).toString().padStart(exponent + 1, '0');
  const sign = minor < 0n ? '-' : '';
  if (exponent === 0) return `${sign}${digits}`;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

// --- payment states ---------------------------------------------------------------------------------

/** How a payment can stand after the customer acted (or an open payment concluded). */
export type PaymentState =
  | 'reserved'
  | 'captured'
  | 'declined'
  | '3ds-failed'
  | 'cancelled'
  | 'open'
  | 'open-declined';

/** What a payment state looks like on the wire: transaction status, Body/Result, callback `status`. */
export interface PaymentStateSpec {
  readonly transactionStatus: string;
  readonly result: string;
  readonly status: string;
  /** Which amounts the payment amount lands in. */
  readonly money: 'reserved' | 'captured' | 'none';
  readonly merchantErrorMessage?: string;
  readonly cardHolderErrorMessage?: string;
  readonly mustBeShown: boolean;
}

/**
 * Each state as the test acquirer produces it. The decline texts are the test acquirer's own (the
 * `CardHolderMessageMustBeShownTrue` sample); invoice payments stay `invoice_initialized` with no
 * amount until the credit check concludes.
 */
export const paymentStates: Readonly<Record<PaymentState, PaymentStateSpec>> = {
  reserved: {
    transactionStatus: 'preauth',
    result: 'Success',
    status: 'succeeded',
    money: 'reserved',
    mustBeShown: false,
  },
  captured: {
    transactionStatus: 'captured',
    result: 'Success',
    status: 'succeeded',
    money: 'captured',
    mustBeShown: false,
  },
  declined: {
    transactionStatus: 'preauth_error',
    result: 'Failed',
    status: 'failed',
    money: 'none',
    merchantErrorMessage: 'TestAcquirer[pan=0466 or amount=4660]',
    cardHolderErrorMessage: 'Card declined. Please try another card.',
    mustBeShown: true,
  },
  '3ds-failed': {
    transactionStatus: '3dsecure_failed',
    result: 'Failed',
    status: 'failed',
    money: 'none',
    merchantErrorMessage: 'TestAcquirer: 3-D Secure authentication failed',
    cardHolderErrorMessage: '3-D Secure authentication failed.',
    mustBeShown: true,
  },
  cancelled: {
    transactionStatus: 'epayment_cancelled',
    result: 'Cancelled',
    status: 'cancelled',
    money: 'none',
    mustBeShown: false,
  },
  open: {
    transactionStatus: 'invoice_initialized',
    result: 'Open',
    status: 'open',
    money: 'none',
    mustBeShown: false,
  },
  'open-declined': {
    transactionStatus: 'epayment_declined',
    result: 'Failed',
    status: 'failed',
    money: 'none',
    merchantErrorMessage: 'TestAcquirer: the credit check declined the invoice',
    cardHolderErrorMessage: 'Your payment was not approved.',
    mustBeShown: false,
  },
};

/** A fresh transaction in status `created` with zero amounts, before the customer's outcome is known. */
export function createdTransaction(init: {
  transactionId: string;
  paymentId: string;
  authType: string;
  shopOrderId: string;
  terminal: string;
  currency: Currency;
  /** 'CreditCard' with the test card, or 'Invoice' / 'CreditCard' without card data. */
  paymentNature: string;
  withCard: boolean;
  creditCardToken: string;
  at: Date;
  cardHolder?: SimTransaction['cardHolder'];
  paymentInfos?: Readonly<Record<string, string>>;
}): SimTransaction {
  const zero = formatMinorUnits(0n, init.currency.exponent);
  const date = gatewayDateTime(init.at);
  return {
    transactionId: init.transactionId,
    paymentId: init.paymentId,
    authType: init.authType,
    shopOrderId: init.shopOrderId,
    terminal: init.terminal,
    transactionStatus: 'created',
    currencyNumeric: init.currency.numeric,
    currencyAlpha: init.currency.alpha,
    reservedAmount: zero,
    capturedAmount: zero,
    refundedAmount: zero,
    maskedPan: init.withCard ? testCard.maskedPan : '',
    creditCardToken: init.withCard ? init.creditCardToken : '',
    blacklistToken: init.withCard ? testCard.blacklistToken : '',
    createdDate: date,
    updatedDate: date,
    paymentNature: init.paymentNature,
    paymentSchemeName: init.withCard
      ? testCard.scheme
      : init.paymentNature === 'Invoice'
        ? 'Test Invoice'
        : '',
    ...(init.cardHolder === undefined ? {} : { cardHolder: init.cardHolder }),
    ...(init.paymentInfos === undefined ? {} : { paymentInfos: init.paymentInfos }),
  };
}

/** The transaction moved to `state` at `at`; `amount` is the payment's, already formatted. */
export function settleTransaction(
  transaction: SimTransaction,
  state: PaymentState,
  amount: string,
  at: Date,
): SimTransaction {
  const spec = paymentStates[state];
  const zero = transaction.capturedAmount.replace(/\d/g, '0');
  return {
    ...transaction,
    transactionStatus: spec.transactionStatus,
    reservedAmount: spec.money === 'none' ? zero : amount,
    capturedAmount: spec.money === 'captured' ? amount : zero,
    updatedDate: gatewayDateTime(at),
  };
}

// --- XML --------------------------------------------------------------------------------------------

interface XmlElement {
  readonly name: string;
  readonly attributes?: Readonly<Record<string, string>>;
  /** Text content; written as CDATA when `cdata` is set. Ignored when `children` is given. */
  readonly text?: string;
  readonly cdata?: boolean;
  readonly children?: readonly XmlElement[];
}

// Characters XML 1.0 cannot carry at all (C0 controls except tab/LF/CR, U+FFFE/U+FFFF, lone surrogates).
const notXmlChar =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for an XML element or a double-quoted attribute. */
export function escapeXml(value: string): string {
  return value
    .replace(notXmlChar, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function cdata(value: string): string {
  // ']]>' would end the section early: close it after ']]' and open a new one for '>'.
  return `<![CDATA[${value.replace(notXmlChar, '\uFFFD').replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

function serialize(element: XmlElement, depth: number): string {
  const indent = '    '.repeat(depth);
  const attributes = Object.entries(element.attributes ?? {})
    .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
    .join('');
  const open = `${indent}<${element.name}${attributes}`;
  if (element.children !== undefined) {
    if (element.children.length === 0) return `${open}/>`;
    const inner = element.children.map((child) => serialize(child, depth + 1)).join('\n');
    return `${open}>\n${inner}\n${indent}</${element.name}>`;
  }
  const text = element.text ?? '';
  if (text === '') return `${open}/>`;
  if (element.cdata) {
    // Real documents pad CDATA with a newline and indentation (sdk-php samples).
    const inner = '    '.repeat(depth + 1);
    return `${open}>\n${inner}${cdata(text)}\n${indent}</${element.name}>`;
  }
  return `${open}>${escapeXml(text)}</${element.name}>`;
}

const leaf = (name: string, text: string): XmlElement => ({ name, text });
const wrapped = (name: string, text: string | undefined): XmlElement => ({
  name,
  text: text ?? '',
  cdata: true,
});
const parent = (name: string, children: readonly XmlElement[]): XmlElement => ({ name, children });

function transactionElement(t: SimTransaction): XmlElement {
  const hasCard = t.maskedPan !== '';
  const zero = t.capturedAmount.replace(/\d/g, '0');
  // A test card that expires three years after the payment.
  const expiryYear = String(Number(t.createdDate.slice(0, 4)) + 3);
  const holder = t.cardHolder;
  const customerInfo: XmlElement =
    holder === undefined
      ? parent('CustomerInfo', [])
      : parent('CustomerInfo', [
          leaf('UserAgent', ''),
          leaf('IpAddress', ''),
          wrapped('Email', holder.email),
          leaf('Username', ''),
          leaf('CustomerPhone', ''),
          leaf('OrganisationNumber', ''),
          parent(
            'CountryOfOrigin',
            holder.country === undefined
              ? []
              : [leaf('Country', holder.country), leaf('Source', 'BillingAddress')],
          ),
          parent('BillingAddress', [
            wrapped('Firstname', holder.firstName),
            wrapped('Lastname', holder.lastName),
            wrapped('Address', holder.address),
            wrapped('City', holder.city),
            wrapped('Region', ''),
            wrapped('Country', holder.country),
            wrapped('PostalCode', holder.postalCode),
          ]),
          parent('ShippingAddress', []),
          parent('RegisteredAddress', []),
        ]);
  return parent('Transaction', [
    leaf('TransactionId', t.transactionId),
    leaf('PaymentId', t.paymentId),
    leaf('AuthType', t.authType),
    leaf('CardStatus', hasCard ? 'Valid' : 'NoCreditCard'),
    parent(
      'CreditCardExpiry',
      hasCard ? [leaf('Year', expiryYear), leaf('Month', testCard.expiryMonth)] : [],
    ),
    leaf('CreditCardToken', t.creditCardToken),
    leaf('CreditCardMaskedPan', t.maskedPan),
    leaf(
      'ThreeDSecureResult',
      !hasCard ? 'Not_Applicable' : t.transactionStatus === '3dsecure_failed' ? 'Declined' : 'Not_Attempted',
    ),
    leaf('LiableForChargeback', 'Merchant'),
    leaf('CVVCheckResult', hasCard ? 'Matched' : 'Not_Applicable'),
    leaf('BlacklistToken', t.blacklistToken),
    leaf('ShopOrderId', t.shopOrderId),
    leaf('Shop', shopName),
    leaf('Terminal', t.terminal),
    leaf('TransactionStatus', t.transactionStatus),
    leaf('ReasonCode', 'NONE'),
    leaf('MerchantCurrency', t.currencyNumeric),
    leaf('MerchantCurrencyAlpha', t.currencyAlpha),
    leaf('CardHolderCurrency', t.currencyNumeric),
    leaf('CardHolderCurrencyAlpha', t.currencyAlpha),
    leaf('ReservedAmount', t.reservedAmount),
    leaf('CapturedAmount', t.capturedAmount),
    leaf('RefundedAmount', t.refundedAmount),
    leaf('CreditedAmount', zero),
    leaf('RecurringDefaultAmount', zero),
    leaf('SurchargeAmount', zero),
    leaf('CreatedDate', t.createdDate),
    leaf('UpdatedDate', t.updatedDate),
    leaf('PaymentNature', t.paymentNature),
    leaf('PaymentSource', 'eCommerce'),
    leaf('PaymentSchemeName', t.paymentSchemeName),
    {
      name: 'PaymentNatureService',
      attributes: { name: t.paymentNature === 'Invoice' ? 'TestInvoiceAcquirer' : 'TestAcquirer' },
      children: [
        leaf('SupportsRefunds', 'true'),
        leaf('SupportsRelease', 'true'),
        leaf('SupportsMultipleCaptures', 'true'),
        leaf('SupportsMultipleRefunds', 'true'),
      ],
    },
    leaf('FraudRiskScore', '0'),
    leaf('FraudExplanation', 'The test fraud service accepts every payment'),
    leaf('FraudRecommendation', 'Accept'),
    parent('ChargebackEvents', []),
    parent(
      'PaymentInfos',
      Object.entries(t.paymentInfos ?? {}).map(([name, value]) => ({
        name: 'PaymentInfo',
        attributes: { name },
        text: value,
        cdata: true,
      })),
    ),
    customerInfo,
    parent(
      'ReconciliationIdentifiers',
      (t.reconciliationIdentifiers ?? []).map((r) =>
        parent('ReconciliationIdentifier', [
          leaf('Id', r.id),
          { name: 'Amount', attributes: { currency: t.currencyNumeric }, text: r.amount },
          leaf('Type', r.type),
          leaf('Date', r.date),
        ]),
      ),
    ),
  ]);
}

/** What goes into an `APIResponse`; everything but `path` is optional. */
export interface ApiResponseOptions {
  /** `API/<method>` as in real headers, e.g. `API/captureReservation`. */
  path: string;
  /** Body/Result; omitted when undefined (a `payments` answer has none). */
  result?: string;
  merchantErrorMessage?: string;
  cardHolderErrorMessage?: string;
  cardHolderMessageMustBeShown?: boolean;
  /** Written as `Body/Transactions` when given (an empty list gives `<Transactions/>`). */
  transactions?: readonly SimTransaction[];
  /** Further Body elements in order, after the messages and before Transactions ('' → `<X/>`). */
  extraBody?: Readonly<Record<string, string>>;
  /** A header error: `ErrorCode` other than '0' and an empty Body. */
  header?: { errorCode: string; errorMessage: string };
  date?: Date;
}

/** Builds an `APIResponse` document the way the gateway writes it (docs/altapay-protocol.md §6). */
export function apiResponseXml(options: ApiResponseOptions): string {
  const header = options.header ?? { errorCode: '0', errorMessage: '' };
  const headerElement = parent('Header', [
    leaf('Date', gatewayTimestamp(options.date ?? new Date())),
    leaf('Path', options.path),
    leaf('ErrorCode', header.errorCode),
    leaf('ErrorMessage', header.errorMessage),
  ]);
  const body: XmlElement[] = [];
  if (header.errorCode === '0') {
    if (options.result !== undefined) body.push(leaf('Result', options.result));
    if (options.merchantErrorMessage !== undefined) {
      body.push(leaf('MerchantErrorMessage', options.merchantErrorMessage));
    }
    if (options.cardHolderErrorMessage !== undefined) {
      body.push(leaf('CardHolderErrorMessage', options.cardHolderErrorMessage));
    }
    if (options.cardHolderMessageMustBeShown !== undefined) {
      body.push(leaf('CardHolderMessageMustBeShown', String(options.cardHolderMessageMustBeShown)));
    }
    for (const [name, value] of Object.entries(options.extraBody ?? {})) body.push(leaf(name, value));
    if (options.transactions !== undefined) {
      body.push(parent('Transactions', options.transactions.map(transactionElement)));
    }
  }
  const root: XmlElement = {
    name: 'APIResponse',
    attributes: { version: apiVersion },
    children: [headerElement, parent('Body', body)],
  };
  return `<?xml version="1.0"?>\n${serialize(root, 0)}\n`;
}

// --- callbacks --------------------------------------------------------------------------------------

/** What a callback says besides the transaction itself. */
export interface CallbackFieldsOptions {
  transaction: SimTransaction;
  /** The `status` form field: succeeded, failed, cancelled, open, ... */
  status: string;
  /** Body/Result of the `xml` field when it is built here. */
  result: string;
  requireCapture: boolean;
  errorMessage?: string;
  merchantErrorMessage?: string;
  mustBeShown?: boolean;
  /** The terminal's shared secret; adds `checksum`. */
  secret?: string;
  /** Defaults to the transaction's AuthType. */
  type?: string;
  /** Defaults to the transaction's PaymentNature. */
  nature?: string;
  /** The payment request's amount string; defaults to the transaction's ReservedAmount. */
  amount?: string;
  /** The `xml` field; defaults to a callback document built from the transaction, result and messages. */
  xml?: string;
  /** Header/Date of the built document. */
  date?: Date;
}

/**
 * The form fields the gateway posts to callback_ok/fail/open/notification/verify_order
 * (docs/altapay-protocol.md §4): currency numeric, amounts as strings, the full document in `xml`, and
 * `checksum` over the raw `amount`, `currency` and `shop_orderid` when the terminal has a secret.
 */
export function callbackFields(options: CallbackFieldsOptions): Record<string, string> {
  const t = options.transaction;
  const amount = options.amount ?? t.reservedAmount;
  const xml =
    options.xml ??
    apiResponseXml({
      path: 'API/reservationOfFixedAmount',
      result: options.result,
      ...(options.merchantErrorMessage === undefined
        ? {}
        : { merchantErrorMessage: options.merchantErrorMessage }),
      ...(options.errorMessage === undefined ? {} : { cardHolderErrorMessage: options.errorMessage }),
      cardHolderMessageMustBeShown: options.mustBeShown ?? false,
      transactions: [t],
      ...(options.date === undefined ? {} : { date: options.date }),
    });
  const fields: Record<string, string> = {
    shop_orderid: t.shopOrderId,
    currency: t.currencyNumeric,
    amount,
    type: options.type ?? t.authType,
    embedded_window: '0',
    transaction_id: t.transactionId,
    payment_id: t.paymentId,
    nature: options.nature ?? t.paymentNature,
    require_capture: String(options.requireCapture),
    payment_status: t.transactionStatus,
    masked_credit_card: t.maskedPan,
    blacklist_token: t.blacklistToken,
    credit_card_token: t.creditCardToken,
    status: options.status,
    error_message: options.errorMessage ?? '',
    merchant_error_message: options.merchantErrorMessage ?? '',
    cardholder_message_must_be_shown: String(options.mustBeShown ?? false),
  };
  for (const [key, value] of Object.entries(t.paymentInfos ?? {})) fields[`transaction_info[${key}]`] = value;
  fields.xml = xml;
  if (options.secret !== undefined) {
    fields.checksum = computeChecksum(
      { amount, currency: t.currencyNumeric, shop_orderid: t.shopOrderId },
      options.secret,
    );
  }
  return fields;
}

/** The callback fields the gateway posts for a payment that reached `state`: status, result and messages from its spec. */
export function stateCallbackFields(
  state: PaymentState,
  options: Omit<
    CallbackFieldsOptions,
    'status' | 'result' | 'requireCapture' | 'errorMessage' | 'merchantErrorMessage' | 'mustBeShown'
  >,
): Record<string, string> {
  const spec = paymentStates[state];
  return callbackFields({
    ...options,
    status: spec.status,
    result: spec.result,
    requireCapture: state === 'reserved',
    errorMessage: spec.cardHolderErrorMessage,
    merchantErrorMessage: spec.merchantErrorMessage,
    mustBeShown: spec.mustBeShown,
  });
}
