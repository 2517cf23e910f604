import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll } from 'vitest';
import { DynamoDbPaymentStore } from '../../adapters/dynamodb/payment-store';
import { fakeCredentials, localRegion } from '../../local/emulators';
import { useEmulators } from '../support/emulators';
import { paymentStoreContract } from './payment-store.contract';

const stack = useEmulators();
const clients: DynamoDBClient[] = [];
const client = (endpoint: string) => {
  // No retries: an unreachable table should fail at once, not after the SDK's backoff.
  const made = new DynamoDBClient({
    region: localRegion,
    endpoint,
    credentials: fakeCredentials,
    maxAttempts: 1,
  });
  clients.push(made);
  return made;
};
afterAll(() => {
  for (const made of clients) made.destroy();
});

paymentStoreContract('DynamoDbPaymentStore on dynalite', {
  store: () => new DynamoDbPaymentStore(client(stack.dynamodbEndpoint), stack.tableName),
  // Port 9 (discard) on the loopback: nothing listens, so every call is refused.
  unreachable: () => new DynamoDbPaymentStore(client('http://127.0.0.1:9'), stack.tableName),
});
