import * as z from 'zod/mini';
import { callbackFormSchema } from '../altapay/callback-form';
import { requireValidChecksum } from '../altapay/checksum';
import { findCurrency } from '../altapay/currency';
import { decodeFormBody } from '../altapay/form-body';
import { MalformedRequestError } from '../errors';
import { chooseLanguage, defaultPageTexts, type PageCatalogue, type PageTexts } from '../pages';
import { compareAmounts } from '../payments/money';
import { awaitsConfirmation, type PaymentStatus } from '../payments/payment';
import { holdsMoney, mayBeVerified, returnedMoney } from '../payments/status-properties';
import type { Log, PaymentStore } from '../ports';
import { describeIssue } from '../validation';

export interface VerifyOrderDeps {
  readonly store: PaymentStore;
  readonly log: Log;
  readonly callbackSecrets: readonly string[];
  /** The refusals' texts with the merchant's overrides; ours when not given. */
  readonly pageTexts?: PageCatalogue;
}

/** The exact answer that lets the gateway go on with the charge, not `OK` (docs/altapay-protocol.md §3.3). */
export const approved = 'OKAY';

/** The fields verify-order reads; the gateway posts the usual callback fields, `xml` is not needed. */
const verifyFormSchema = z.pick(callbackFormSchema, { shop_orderid: true, amount: true, currency: true });

/**
 * AltaPay's last check before it charges the card: answers exactly `OKAY` only when the order was
 * started through create-payment, its confirmed status may be verified (not paid, not being paid,
 * its money not returned: see status-properties.ts), no callback's claim that it is paid awaits the
 * gateway's confirmation, and amount and currency are what we asked for. Anything
 * else is a short reason the gateway shows the customer (it shows the first 255 characters, tags
 * stripped), so it names no internals.
 */
export async function verifyOrder(deps: VerifyOrderDeps, body: Uint8Array): Promise<string> {
  const fields = decodeFormBody(body);
  requireValidChecksum(fields, deps.callbackSecrets);
  const parsed = verifyFormSchema.safeParse(Object.fromEntries(fields), { reportInput: true });
  if (!parsed.success) throw new MalformedRequestError(...describeIssue(parsed.error, verifyFormSchema));
  const form = parsed.data;
  const payment = await deps.store.getPayment(form.shop_orderid);
  const refusal = (reason: string, answer: string) => {
    deps.log.warn('order not verified', { shopOrderId: form.shop_orderid, reason });
    return answer;
  };
  const catalogue = deps.pageTexts ?? defaultPageTexts;
  // The form carries no language; the payment request we stored does.
  const texts = catalogue[chooseLanguage(payment?.request?.language)];
  if (payment?.request === undefined) return refusal('unknown order', texts.verifyUnknownOrder);
  if (!mayBeVerified(payment.status)) {
    return refusal(`status ${payment.status}`, refusalFor(payment.status, texts));
  }
  if (awaitsConfirmation(payment)) {
    return refusal('a paid claim awaits confirmation', refusalFor('open', texts));
  }
  const { request } = payment;
  const currency = findCurrency(form.currency)?.alpha;
  if (currency !== request.currency || compareAmounts(form.amount, request.amount) !== 0) {
    return refusal('amount or currency differs from the request', texts.verifyAmountMismatch);
  }
  deps.log.info('order verified', { shopOrderId: form.shop_orderid });
  return approved;
}

/** What the customer reads when the order's status does not let it be paid now. */
function refusalFor(status: PaymentStatus, texts: PageTexts): string {
  if (holdsMoney(status)) return texts.verifyAlreadyPaid;
  if (returnedMoney(status)) return texts.verifyClosed;
  return texts.verifyInProgress;
}
