import type { TransactionDetails, TransactionState } from './payment';

/**
 * Why a payment failed, in the gateway's words: the customer's message (CardHolderErrorMessage, or the
 * callback's error_message) and the merchant's (MerchantErrorMessage, or merchant_error_message). Kept
 * per transaction in its details, for operators; the transaction's ReasonCode sits beside them.
 */
export interface GatewayErrorMessages {
  readonly customerErrorMessage?: string;
  readonly merchantErrorMessage?: string;
}

/** Longest message kept: real ones are a sentence; the item must stay far below 400 KB. */
export const errorMessageMaxLength = 500;

/** A run of 13 to 19 digits, spaces or dashes between them allowed: what a card number looks like. */
const cardNumberLike = /\d(?:[ -]?\d){12,18}/g;

/**
 * A message as we keep it: on one line, trimmed, any card-number-like run of digits removed (the gateway should
 * never send one, and we never store one), at most `errorMessageMaxLength` characters; empty: none.
 */
export function keptMessage(text: string | undefined): string | undefined {
  // One line: what an operator reads in a table or a terminal.
  const cleaned = text?.replace(cardNumberLike, '[number removed]').replace(/\s+/g, ' ').trim();
  if (!cleaned) return undefined;
  return cleaned.length <= errorMessageMaxLength
    ? cleaned
    : `${cleaned.slice(0, errorMessageMaxLength - 1)}…`;
}

/**
 * The gateway's live view (`payments`) carries no messages: while the transaction's state is the one
 * they were given with, they stay with it; a later state stands on its own.
 */
export function keepErrorMessages(
  recorded: TransactionState | undefined,
  incoming: TransactionState,
): TransactionState {
  const kept = recorded?.details;
  if (kept === undefined || recorded?.gatewayStatus !== incoming.gatewayStatus) return incoming;
  const messages = {
    ...(kept.customerErrorMessage === undefined ? {} : { customerErrorMessage: kept.customerErrorMessage }),
    ...(kept.merchantErrorMessage === undefined ? {} : { merchantErrorMessage: kept.merchantErrorMessage }),
  };
  if (Object.keys(messages).length === 0) return incoming;
  return { ...incoming, details: { ...messages, ...incoming.details } };
}

/** What a transaction's details say about why it failed, for the status API and the CLI. */
export function whyItFailed(
  details: TransactionDetails | undefined,
): Pick<TransactionDetails, 'reasonCode' | 'customerErrorMessage' | 'merchantErrorMessage'> {
  const { reasonCode, customerErrorMessage, merchantErrorMessage } = details ?? {};
  return {
    ...(reasonCode === undefined ? {} : { reasonCode }),
    ...(customerErrorMessage === undefined ? {} : { customerErrorMessage }),
    ...(merchantErrorMessage === undefined ? {} : { merchantErrorMessage }),
  };
}
