import { readFileSync } from 'node:fs';
import { computeChecksum } from '../../shared/altapay/checksum';
import { encodeFormBody } from '../../shared/altapay/form-body';

/**
 * Fixtures that look like what the AltaPay gateway really posts and answers: documents and callback
 * forms the project wrote in the gateway's format (test/fixtures/altapay/), wrapped in the form fields
 * the gateway sends with them, signed the way the gateway signs them.
 */

export const fixturesDir = new URL('../fixtures/altapay/', import.meta.url);

/** A fixture document's text, exactly as stored (BOMs and all). */
export function readFixture(name: string): string {
  return readFileSync(new URL(name, fixturesDir), 'utf8');
}

/**
 * A callback form fixture: the fields as the gateway posted them, and the one line saying what real
 * situation it models (JSON has no comments, so the file wraps the fields).
 */
interface FormFixture {
  situation: string;
  fields: Record<string, string>;
}

function readFormFixture(name: string): FormFixture {
  return JSON.parse(readFixture(name)) as FormFixture;
}

/** The form fields of a callback form fixture, exactly as the gateway posts them. */
export function readFormFields(name: string): Record<string, string> {
  return readFormFixture(name).fields;
}

/** A one-line comment right after the XML declaration (after a BOM, if any). */
const xmlSituation = /^\uFEFF?<\?xml[^>]*\?>\s*<!--[ \t]*(.*?)[ \t]*-->/;

/** The one line a fixture gives about the real situation it models, or undefined when it gives none. */
export function fixtureSituation(name: string): string | undefined {
  if (name.endsWith('.json')) return readFormFixture(name).situation || undefined;
  return xmlSituation.exec(readFixture(name))?.[1] || undefined;
}

/** First text of an element, found with a regex so fixtures do not depend on the parser under test. */
function first(xml: string, element: string): string | undefined {
  return new RegExp(`<${element}>\\s*([^<]*?)\\s*</${element}>`).exec(xml)?.[1];
}

const statusByResult: Record<string, string> = {
  Success: 'succeeded',
  Failed: 'failed',
  Error: 'error',
  Cancelled: 'cancelled',
  ChargebackEvent: 'ChargebackEvent',
};

/**
 * The form fields the gateway posts with `xml`: shop_orderid, amount and currency from its first
 * transaction (or `fallbackOrderId`/0/208 when it has none), the status, and the xml itself.
 */
export function callbackFields(
  xml: string,
  overrides: Record<string, string> = {},
  fallbackOrderId = 'order-without-transactions',
): Record<string, string> {
  const result = first(xml, 'Result') ?? '';
  const fields: Record<string, string> = {
    shop_orderid: first(xml, 'ShopOrderId') ?? fallbackOrderId,
    amount: first(xml, 'ReservedAmount') ?? '0',
    currency: first(xml, 'MerchantCurrency') ?? '208',
    type: 'payment',
    embedded_window: '0',
    status: statusByResult[result] ?? 'open',
    xml,
  };
  const transactionId = first(xml, 'TransactionId');
  if (transactionId) fields.transaction_id = transactionId;
  const paymentStatus = first(xml, 'TransactionStatus');
  if (paymentStatus) fields.payment_status = paymentStatus;
  return { ...fields, ...overrides };
}

/** Adds the checksum the gateway computes with `secret` over the raw posted strings. */
export function signed(fields: Record<string, string>, secret: string): Record<string, string> {
  const { amount = '', currency = '', shop_orderid = '' } = fields;
  return { ...fields, checksum: computeChecksum({ amount, currency, shop_orderid }, secret) };
}

/** A minimal, valid callback xml for one transaction; tests vary status, amounts and dates. */
export function transactionXml(options: {
  shopOrderId: string;
  transactionId: string;
  status: string;
  result?: string;
  reserved?: string;
  captured?: string;
  refunded?: string;
  updated?: string;
  authType?: string;
  currency?: string;
}): string {
  const {
    shopOrderId,
    transactionId,
    status,
    result = 'Success',
    reserved = '0.00',
    captured = '0.00',
    refunded = '0.00',
    updated = '2026-11-20 10:00:00',
    authType = 'payment',
    currency = '208',
  } = options;
  return `<?xml version="1.0"?>
<APIResponse version="20170228"><Header><Date>2026-11-20T10:00:00+01:00</Date><Path>API/reservationOfFixedAmount</Path><ErrorCode>0</ErrorCode><ErrorMessage/></Header>
<Body><Result>${result}</Result><Transactions><Transaction>
<TransactionId>${transactionId}</TransactionId><PaymentId>9ddbf89d-40ba-4766-a01b-3c52b2ac7e2a</PaymentId><AuthType>${authType}</AuthType>
<CreditCardMaskedPan>457193******4512</CreditCardMaskedPan><ShopOrderId>${shopOrderId}</ShopOrderId><Terminal>Test Terminal</Terminal>
<TransactionStatus>${status}</TransactionStatus><MerchantCurrency>${currency}</MerchantCurrency>
<ReservedAmount>${reserved}</ReservedAmount><CapturedAmount>${captured}</CapturedAmount><RefundedAmount>${refunded}</RefundedAmount>
<CreatedDate>2026-11-20 09:59:00</CreatedDate><UpdatedDate>${updated}</UpdatedDate><PaymentNature>CreditCard</PaymentNature>
<ChargebackEvents/><PaymentInfos/></Transaction></Transactions></Body></APIResponse>`;
}

export { encodeFormBody };
