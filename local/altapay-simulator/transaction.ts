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
  /** Disputes the cardholder's bank raised, as `ChargebackEvents` (docs/altapay-protocol.md §6.6). */
  chargebackEvents?: readonly SimChargebackEvent[];
}

/** One `ChargebackEvent`: `date` ISO 8601 with offset, `amount` formatted, `currency` the letter code. */
export interface SimChargebackEvent {
  date: string;
  type: string;
  reasonCode: string;
  reason: string;
  amount: string;
  currency: string;
  acquirerTransactionId: string;
  /** The acquirer's details of the dispute, written as the entity-escaped `<additional_info>` list. */
  additionalInfo: Readonly<Record<string, string>>;
}

/** The test card every simulated card payment uses (a Visa test PAN, masked as the gateway masks it). */
export const testCard = {
  maskedPan: '457199******4512',
  scheme: 'Visa',
  expiryMonth: '12',
  /** Stable per card, like the gateway's: it identifies the card, not the payment. */
  blacklistToken: '0f4c0b1a6c8d3e2f9a7b5c4d3e2f1a0b9c8d7e6f',
} as const;
