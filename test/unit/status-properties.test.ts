import { describe, expect, it } from 'vitest';
import { type PaymentStatus, paymentStatuses } from '../../shared/payments/payment';
import {
  holdsMoney,
  isFinal,
  mayBeVerified,
  mayStartNewPayment,
  returnedMoney,
  wasPaid,
} from '../../shared/payments/status-properties';

const predicates = { holdsMoney, wasPaid, returnedMoney, isFinal, mayStartNewPayment, mayBeVerified };
type Predicate = keyof typeof predicates;

/**
 * The expected truth table, written out: a change to the table in status-properties.ts fails here
 * until this table (and the reason beside the other) is changed with it.
 */
const Y = true;
const n = false;
// biome-ignore format: the table reads as a table, one status a line
const expected: Readonly<Record<PaymentStatus, Readonly<Record<Predicate, boolean>>>> = {
  //           holds money    was paid     returned money     final     may start new     may be verified
  created:    { holdsMoney: n, wasPaid: n, returnedMoney: n, isFinal: n, mayStartNewPayment: Y, mayBeVerified: Y },
  open:       { holdsMoney: n, wasPaid: n, returnedMoney: n, isFinal: n, mayStartNewPayment: n, mayBeVerified: n },
  reserved:   { holdsMoney: Y, wasPaid: Y, returnedMoney: n, isFinal: Y, mayStartNewPayment: n, mayBeVerified: n },
  captured:   { holdsMoney: Y, wasPaid: Y, returnedMoney: n, isFinal: Y, mayStartNewPayment: n, mayBeVerified: n },
  failed:     { holdsMoney: n, wasPaid: n, returnedMoney: n, isFinal: Y, mayStartNewPayment: Y, mayBeVerified: Y },
  cancelled:  { holdsMoney: n, wasPaid: n, returnedMoney: n, isFinal: Y, mayStartNewPayment: Y, mayBeVerified: Y },
  released:   { holdsMoney: n, wasPaid: Y, returnedMoney: Y, isFinal: Y, mayStartNewPayment: n, mayBeVerified: n },
  refunded:   { holdsMoney: n, wasPaid: Y, returnedMoney: Y, isFinal: Y, mayStartNewPayment: n, mayBeVerified: n },
  chargeback: { holdsMoney: n, wasPaid: Y, returnedMoney: Y, isFinal: Y, mayStartNewPayment: n, mayBeVerified: n },
};

const cells = paymentStatuses.flatMap((status) =>
  (Object.keys(predicates) as Predicate[]).map((predicate) => [status, predicate] as const),
);

describe('what each payment status means', () => {
  it.each(cells)('%s: %s is as the truth table says', (status, predicate) => {
    expect(predicates[predicate](status)).toBe(expected[status][predicate]);
  });

  it('counts an order as paid exactly when its money is held or was returned', () => {
    for (const status of paymentStatuses) {
      expect(wasPaid(status)).toBe(holdsMoney(status) || returnedMoney(status));
    }
  });

  it('lets verify-order answer OKAY only where create-payment may start a payment', () => {
    for (const status of paymentStatuses) {
      expect(mayBeVerified(status)).toBe(mayStartNewPayment(status));
    }
  });
});
