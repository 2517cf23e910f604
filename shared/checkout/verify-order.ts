import * as z from 'zod/mini';
import { callbackFormSchema } from '../altapay/callback-form';
import { requireValidChecksum } from '../altapay/checksum';
import { findCurrency } from '../altapay/currency';
import { decodeFormBody } from '../altapay/form-body';
import { MalformedRequestError } from '../errors';
import { compareAmounts } from '../payments/money';
import { isPaid } from '../payments/transaction-phase';
import type { Log, PaymentStore } from '../ports';
import { describeIssue } from '../validation';

export interface VerifyOrderDeps {
  readonly store: PaymentStore;
  readonly log: Log;
  readonly callbackSecrets: readonly string[];
}

/** The exact answer that lets the gateway go on with the charge (reference §6.8: not `OK`). */
export const approved = 'OKAY';

/** The fields verify-order reads; the gateway posts the usual callback fields, `xml` is not needed. */
const verifyFormSchema = z.pick(callbackFormSchema, { shop_orderid: true, amount: true, currency: true });

/**
 * AltaPay's last check before it charges the card: answers exactly `OKAY` only when the order was
 * started through create-payment, is not paid already, and amount and currency are what we asked
 * for. Anything else is a short reason the gateway shows the customer (it shows the first 255
 * characters, tags stripped), so it names no internals.
 */
export async function verifyOrder(deps: VerifyOrderDeps, body: Uint8Array): Promise<string> {
  const fields = decodeFormBody(body);
  requireValidChecksum(fields, deps.callbackSecrets);
  const parsed = verifyFormSchema.safeParse(Object.fromEntries(fields), { reportInput: true });
  if (!parsed.success) throw new MalformedRequestError(...describeIssue(parsed.error));
  const form = parsed.data;
  const payment = await deps.store.getPayment(form.shop_orderid);
  const refusal = (reason: string, answer: string) => {
    deps.log.warn('order not verified', { shopOrderId: form.shop_orderid, reason });
    return answer;
  };
  if (payment?.request === undefined) {
    return refusal('unknown order', 'We could not find this order. Please return to the shop and try again.');
  }
  if (isPaid(payment.status) || payment.status === 'open') {
    return refusal(
      `status ${payment.status}`,
      'This order has already been paid. No further payment is needed.',
    );
  }
  const { request } = payment;
  const currency = findCurrency(form.currency)?.alpha;
  if (currency !== request.currency || compareAmounts(form.amount, request.amount) !== 0) {
    return refusal(
      'amount or currency differs from the request',
      'The amount does not match your order. Please return to the shop and start again.',
    );
  }
  deps.log.info('order verified', { shopOrderId: form.shop_orderid });
  return approved;
}
