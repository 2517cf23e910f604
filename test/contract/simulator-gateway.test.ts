import { afterAll, beforeAll } from 'vitest';
import { AltaPayMerchantApi } from '../../adapters/altapay/merchant-api';
import { type GatewaySimulator, startGatewaySimulator } from '../../local/altapay-simulator/index';
import { paymentGatewayContract } from './payment-gateway.contract';

const credentials = { username: 'contract-api', password: 'contract-password' };
const terminal = 'AltaPay Test Terminal';
let simulator: GatewaySimulator;
let client: AltaPayMerchantApi;
let orders = 0;

beforeAll(async () => {
  simulator = await startGatewaySimulator({ port: 0, credentials });
  // Short, so a lost answer is given up on quickly; the simulator answers everything else at once.
  client = new AltaPayMerchantApi({
    baseUrl: new URL(simulator.url),
    ...credentials,
    timeoutMs: 300,
  });
});

afterAll(async () => {
  await simulator.stop();
});

// Nothing listens on port 9 (discard): the callback URLs are never called, as the customer picks
// "the shop never hears".
const nowhere = 'http://127.0.0.1:9/callback';

/** A payment request of `type` paid on the simulator's page, the shop never told; its transaction. */
async function paid(amount: string, type: 'payment' | 'subscription') {
  const shopOrderId = `contract-${++orders}`;
  const { paymentRequestId } = await client.createPaymentRequest({
    terminal,
    shopOrderId,
    amount,
    currency: 'DKK',
    type,
    callbacks: { ok: nowhere, fail: nowhere, open: nowhere, notification: nowhere, verifyOrder: nowhere },
  });
  await simulator.pay(paymentRequestId, 'success-unheard');
  const [transaction] = simulator.transactions(shopOrderId);
  if (transaction === undefined) throw new Error(`the simulator holds no transaction for ${shopOrderId}`);
  return { shopOrderId, transactionId: transaction.transactionId };
}

paymentGatewayContract('AltaPayMerchantApi on the simulator', {
  gateway: () => client,
  agree: () => paid('49.00', 'subscription'),
  reserve: (amount) => paid(amount, 'payment'),
  loseNextAnswer: (method) => simulator.failNext('answer-lost', method),
});
