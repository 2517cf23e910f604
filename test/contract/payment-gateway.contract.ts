import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../shared/errors';
import type { PaymentGateway } from '../../shared/ports';

export interface GatewayUnderTest {
  readonly gateway: () => PaymentGateway;
  /** A fresh order with one reservation of `amount` DKK, as a customer's payment leaves it. */
  readonly reserve: (amount: string) => Promise<{ shopOrderId: string; transactionId: string }>;
  /** A fresh order with a subscription agreement (charged later), as a customer's sign-up leaves it. */
  readonly agree: () => Promise<{ shopOrderId: string; transactionId: string }>;
  /** The next call of `method` happens at the gateway, but its answer never comes back. */
  readonly loseNextAnswer: (method: 'captureReservation' | 'refundCapturedReservation') => void;
}

/**
 * What every PaymentGateway must answer as the AltaPay gateway does, for the money-moving calls and
 * order lookups: run against the simulator over HTTP (through the real client) and against the
 * in-memory fake, so neither drifts from the other.
 */
export function paymentGatewayContract(name: string, subject: GatewayUnderTest): void {
  describe(`${name}: the PaymentGateway contract`, () => {
    const amounts = (
      t: { reservedAmount: string; capturedAmount: string; refundedAmount: string } | undefined,
    ) => (t === undefined ? undefined : [t.reservedAmount, t.capturedAmount, t.refundedAmount]);

    it("lists an order's reservation by shop order id, and nothing for an unknown order", async () => {
      const { shopOrderId, transactionId } = await subject.reserve('249.00');
      const gateway = subject.gateway();

      const listed = await gateway.transactionsOfOrder(shopOrderId);

      expect(listed.map((t) => [t.transactionId, t.shopOrderId, t.transactionStatus])).toEqual([
        [transactionId, shopOrderId, 'preauth'],
      ]);
      expect(amounts(listed[0])).toEqual(['249.00', '0.00', '0.00']);
      expect(await gateway.transactionsOfOrder(`${shopOrderId}-unknown`)).toEqual([]);
    });

    it('charges an agreement twice, each charge a new transaction; reserves only when asked; refuses a charge on a one-off reservation', async () => {
      const { shopOrderId, transactionId } = await subject.agree();
      const gateway = subject.gateway();

      const first = await gateway.chargeSubscription(transactionId, '49.00', { reserveOnly: false });
      const reservedCharge = await gateway.chargeSubscription(transactionId, '20.00', { reserveOnly: true });
      const oneOff = await subject.reserve('100.00');
      const notAnAgreement = await gateway.chargeSubscription(oneOff.transactionId, '49.00', {
        reserveOnly: false,
      });

      expect(first.result).toBe('Success');
      const [agreement, charge] = first.transactions;
      expect(agreement).toMatchObject({ transactionId, transactionStatus: 'recurring_confirmed' });
      expect(charge).toMatchObject({
        authType: 'subscription_payment',
        transactionStatus: 'captured',
        shopOrderId,
      });
      expect(amounts(charge)).toEqual(['49.00', '49.00', '0.00']);
      expect(reservedCharge.transactions[1]).toMatchObject({ transactionStatus: 'preauth' });
      expect(amounts(reservedCharge.transactions[1])).toEqual(['20.00', '0.00', '0.00']);
      const listed = await gateway.transactionsOfOrder(shopOrderId);
      expect(listed.map((t) => t.authType)).toEqual([
        'subscription',
        'subscription_payment',
        'subscription_payment',
      ]);
      expect(new Set(listed.map((t) => t.transactionId)).size).toBe(3);
      expect(notAnAgreement.result).toBe('Error');
      expect(notAnAgreement.merchantErrorMessage).toMatch(/is no active subscription \(status preauth\)/);
    });

    it('captures in parts, refuses more than is left with the amounts, and captures the rest', async () => {
      const { transactionId } = await subject.reserve('249.00');
      const gateway = subject.gateway();

      const first = await gateway.captureReservation(transactionId, '100.00');
      const tooMuch = await gateway.captureReservation(transactionId, '200.00');
      const rest = await gateway.captureReservation(transactionId, '149.00');
      const nothingLeft = await gateway.captureReservation(transactionId, '0.01');

      expect(first.result).toBe('Success');
      expect(amounts(first.transactions[0])).toEqual(['249.00', '100.00', '0.00']);
      expect(tooMuch.result).toBe('Error');
      expect(tooMuch.merchantErrorMessage).toMatch(
        /200\.00.*greater than the remaining reserved amount 149\.00/,
      );
      expect(amounts(tooMuch.transactions[0])).toEqual(['249.00', '100.00', '0.00']);
      expect(rest.result).toBe('Success');
      expect(rest.transactions[0]).toMatchObject({ transactionStatus: 'captured', capturedAmount: '249.00' });
      expect(nothingLeft.result).toBe('Error');
      expect(nothingLeft.merchantErrorMessage).toMatch(/remaining reserved amount 0\.00/);
    });

    it('refunds in parts up to what was captured, and refuses a refund of nothing captured', async () => {
      const { transactionId } = await subject.reserve('249.00');
      const gateway = subject.gateway();

      const before = await gateway.refundCapturedReservation(transactionId, '10.00');
      await gateway.captureReservation(transactionId, '100.00');
      const part = await gateway.refundCapturedReservation(transactionId, '50.00');
      const tooMuch = await gateway.refundCapturedReservation(transactionId, '60.00');
      const rest = await gateway.refundCapturedReservation(transactionId, '50.00');

      expect(before.result).toBe('Error');
      expect(before.merchantErrorMessage).toMatch(/no captured amount to refund/);
      expect(part.result).toBe('Success');
      expect(amounts(part.transactions[0])).toEqual(['249.00', '100.00', '50.00']);
      expect(tooMuch.result).toBe('Error');
      expect(tooMuch.merchantErrorMessage).toMatch(
        /greater than the captured amount not yet refunded 50\.00/,
      );
      expect(rest.result).toBe('Success');
      expect(amounts(rest.transactions[0])).toEqual(['249.00', '100.00', '100.00']);
    });

    it('releases a reservation with nothing captured, once; nothing can be captured after it', async () => {
      const { transactionId } = await subject.reserve('75.00');
      const gateway = subject.gateway();

      const released = await gateway.releaseReservation(transactionId);
      const again = await gateway.releaseReservation(transactionId);
      const capture = await gateway.captureReservation(transactionId, '75.00');

      expect(released.result).toBe('Success');
      expect(released.transactions[0]?.transactionStatus).toBe('released');
      expect(again.result).toBe('Error');
      expect(again.merchantErrorMessage).toMatch(/released cannot be released/);
      expect(capture.result).toBe('Error');
      expect(capture.merchantErrorMessage).toMatch(/cannot be captured/);
    });

    it('refuses to release once anything is captured', async () => {
      const { transactionId } = await subject.reserve('75.00');
      const gateway = subject.gateway();
      await gateway.captureReservation(transactionId, '25.00');

      const release = await gateway.releaseReservation(transactionId);

      expect(release.result).toBe('Error');
      expect(release.merchantErrorMessage).toMatch(/captured cannot be released/);
      expect(amounts(release.transactions[0])).toEqual(['75.00', '25.00', '0.00']);
    });

    it('refuses an operation on a transaction it does not know, naming it', async () => {
      const refused = await subject.gateway().captureReservation('1', '1.00');

      expect(refused.result).toBe('Error');
      expect(refused.merchantErrorMessage).toBe('No transaction with transaction_id 1');
      expect(refused.transactions).toEqual([]);
    });

    it('a capture whose answer was lost happened once: the caller sees outcomeUnknown, looks, and does not capture again', async () => {
      const { shopOrderId, transactionId } = await subject.reserve('249.00');
      const gateway = subject.gateway();
      subject.loseNextAnswer('captureReservation');

      const lost = await gateway.captureReservation(transactionId, '100.00').catch((error: unknown) => error);
      const looked = await gateway.transactionsOfOrder(shopOrderId);

      expect(lost).toBeInstanceOf(GatewayError);
      expect(lost).toMatchObject({ reason: 'timeout', outcomeUnknown: true });
      expect(amounts(looked[0])).toEqual(['249.00', '100.00', '0.00']);
    });

    it('a refund whose answer was lost happened once, as the lookup shows', async () => {
      const { transactionId } = await subject.reserve('249.00');
      const gateway = subject.gateway();
      await gateway.captureReservation(transactionId, '249.00');
      subject.loseNextAnswer('refundCapturedReservation');

      const lost = await gateway
        .refundCapturedReservation(transactionId, '49.00')
        .catch((error: unknown) => error);
      const [looked] = await gateway.transactions(transactionId);

      expect(lost).toMatchObject({ reason: 'timeout', outcomeUnknown: true });
      expect(amounts(looked)).toEqual(['249.00', '249.00', '49.00']);
    });
  });
}
