/**
 * The Merchant API methods, by what the simulator does with them: the ones it answers, and the ones
 * AltaPay's libraries call (sdk-php, sdk-python, api-php) that it answers with a header error naming
 * the method, so a merchant's integration reads "not simulated" instead of a bare 404.
 */

/** Methods the simulator implements (docs/altapay-protocol.md §8, §11). */
export const apiMethods = [
  'login',
  'testConnection',
  'createPaymentRequest',
  'payments',
  'captureReservation',
  'releaseReservation',
  'refundCapturedReservation',
  'chargeSubscription',
  'reserveSubscriptionCharge',
  'getTerminals',
  'fundingList',
  'updateOrder',
] as const;
/** One of `apiMethods`. */
export type ApiMethod = (typeof apiMethods)[number];

/** Real methods the simulator does not implement, as the libraries name them in their URLs. */
export const notSimulatedMethods = [
  'calculateSurcharge',
  'cardWallet',
  'checkoutSession',
  'createInvoiceReservation',
  'credit',
  'fundingDownload',
  'getCustomReport',
  'getInvoiceText',
  'initiatePayment',
  'queryGiftCard',
  'reservation',
  'reservationOfFixedAmount',
  'reservationOfFixedAmountMOTO',
  'setupSubscription',
  'transactions',
  'updateReconciliationIdentifier',
  'verify3dSecure',
  'verifyCard',
] as const;

/** Methods answered without HTTP Basic credentials (python SDK: "does not require valid API credentials"). */
export const openMethods: readonly ApiMethod[] = ['testConnection'];

export function isApiMethod(method: string): method is ApiMethod {
  return (apiMethods as readonly string[]).includes(method);
}

export function isNotSimulated(method: string): boolean {
  return (notSimulatedMethods as readonly string[]).includes(method);
}
