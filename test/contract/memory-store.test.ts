import { MemoryPaymentStore } from '../support/memory-store';
import { paymentStoreContract } from './payment-store.contract';

const shared = new MemoryPaymentStore();

paymentStoreContract('MemoryPaymentStore', {
  store: () => shared,
  unreachable: () => Object.assign(new MemoryPaymentStore(), { failing: true }),
});
