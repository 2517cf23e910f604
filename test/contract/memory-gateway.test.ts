import { MemoryGateway } from '../support/memory-gateway';
import { paymentGatewayContract } from './payment-gateway.contract';

const gateway = new MemoryGateway();
let orders = 0;

paymentGatewayContract('MemoryGateway', {
  gateway: () => gateway,
  reserve: async (amount) => {
    const shopOrderId = `memory-${++orders}`;
    return { shopOrderId, transactionId: gateway.reserve(shopOrderId, amount) };
  },
  agree: async () => {
    const shopOrderId = `memory-${++orders}`;
    return { shopOrderId, transactionId: gateway.agree(shopOrderId) };
  },
  loseNextAnswer: (method) => gateway.loseNextAnswer(method),
});
