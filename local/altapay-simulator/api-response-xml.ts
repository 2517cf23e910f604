/**
 * The gateway's `APIResponse` XML (Merchant API answers and the `xml` callback field, docs/altapay-protocol.md §6),
 * element names, order and value styles as in AltaPay's own SDK test documents (§6.7).
 */
import { cardChecks } from './card-checks';
import { gatewayTimestamp } from './gateway-formats';
import { type SimTransaction, testCard } from './transaction';

/** The API version real callbacks of this era carry (`sdk-php` reservationAndCapture sample). */
const apiVersion = '20170228';
/** The shop every simulated transaction belongs to (`Shop`; the `shop` filter of `payments`). */
export const shopName = 'AltaPay Test Shop';

/** An element of a document: text, or children (`[]` writes `<X/>`). */
export interface XmlElement {
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
    // Payments made with a stored card token would say true; the simulator's customers type their card.
    leaf('IsTokenized', 'false'),
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
    leaf('FraudRiskScore', cardChecks.fraudRiskScore),
    leaf('FraudExplanation', cardChecks.fraudExplanation),
    leaf('FraudRecommendation', cardChecks.fraudRecommendation),
    // After the fraud elements, before ChargebackEvents (sdk-php CallbackXML_reservationAndCapture.xml).
    ...(hasCard
      ? [
          leaf('AddressVerification', cardChecks.avsCode),
          leaf('AddressVerificationDescription', cardChecks.avsText),
        ]
      : []),
    parent(
      'ChargebackEvents',
      (t.chargebackEvents ?? []).map((event) =>
        parent('ChargebackEvent', [
          leaf('Date', event.date),
          leaf('Type', event.type),
          leaf('ReasonCode', event.reasonCode),
          leaf('Reason', event.reason),
          leaf('Amount', event.amount),
          leaf('Currency', event.currency),
          leaf('AcquirerTransactionId', event.acquirerTransactionId),
          leaf('AdditionalInfo', additionalInfoXml(event.additionalInfo)),
        ]),
      ),
    ),
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
  /** Further Body elements with structure (Terminals, Fundings), after `extraBody`, before Transactions. */
  bodyElements?: readonly XmlElement[];
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
    body.push(...(options.bodyElements ?? []));
    if (options.transactions !== undefined) {
      body.push(parent('Transactions', options.transactions.map(transactionElement)));
    }
    if (options.result === 'Success') leadResult(body);
  }
  const root: XmlElement = {
    name: 'APIResponse',
    attributes: { version: apiVersion },
    children: [headerElement, parent('Body', body)],
  };
  return `<?xml version="1.0"?>\n${serialize(root, 0)}\n`;
}

/** Body elements a successful answer writes before `Result`. */
const leadsResult = new Set(['CaptureAmount', 'CaptureCurrency', 'RefundAmount', 'RefundCurrency']);

/**
 * Moves a successful capture's or refund's amount and currency ahead of Result, as the gateway writes
 * them (api-php capture.xml, refundcapture.xml); a refused one keeps them after its messages (sdk-python
 * 200_capture_payment_already_captured.xml).
 */
function leadResult(body: XmlElement[]): void {
  const leading = body.filter((element) => leadsResult.has(element.name));
  const rest = body.filter((element) => !leadsResult.has(element.name));
  body.splice(0, body.length, ...leading, ...rest);
}

/**
 * A chargeback's AdditionalInfo: an XML list of key/value pairs carried as the element's text, so the
 * document shows it entity-escaped (sdk-csharp ChargebackEvent.xml, sdk-ruby chargeback_callback.xml).
 */
function additionalInfoXml(info: Readonly<Record<string, string>>): string {
  const elements = Object.entries(info).map(
    ([key, value]) =>
      `<info_element><key>${escapeXml(key)}</key><value>${escapeXml(value)}</value></info_element>`,
  );
  return `<additional_info>${elements.join('')}</additional_info>`;
}
