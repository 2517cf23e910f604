/**
 * The load benchmark's floor: a bare HTTP server that, per POST, does only what a callback must (one
 * DynamoDB write and one SQS send of a callback's sizes, through clients configured like the
 * handlers'), with the emulators in their own process as for the local stack. With `--read` it first
 * reads the item (consistent), as any read-decide-write design must. No routing, no Lambda, no
 * parsing: what is left is the machine, the SDK and the emulators. Prints one JSON line with its
 * URL, then runs until killed.
 */
import { createServer } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { recordKeys } from '../adapters/dynamodb/payments-table';
import { sdkOptions } from '../functions/runtime/sdk-options';
import { createPaymentsTable, createWorkQueues, fakeCredentials, localRegion } from '../local/emulators';
import { startEmulatorsInChildProcess } from '../local/emulators-process';
import { listen } from '../local/listen';

const read = process.argv.includes('--read');
const emulators = await startEmulatorsInChildProcess();
const tableName = 'payments';
await createPaymentsTable(emulators.dynamodbEndpoint, tableName);
const { queueUrl } = await createWorkQueues(emulators.sqsEndpoint, 'payment-work');
const common = { ...sdkOptions, region: localRegion, credentials: fakeCredentials };
const documents = DynamoDBDocumentClient.from(
  new DynamoDBClient({ ...common, endpoint: emulators.dynamodbEndpoint }),
);
const sqs = new SQSClient({ ...common, endpoint: emulators.sqsEndpoint });
const padding = 'x'.repeat(1500);
const message = JSON.stringify({ kind: 'payment-work', padding: 'x'.repeat(250) });

let next = 0;
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', async () => {
    try {
      const Key = { shopOrderId: `floor-${next++}`, recordKey: recordKeys.payment };
      if (read) await documents.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }));
      await documents.send(new PutCommand({ TableName: tableName, Item: { ...Key, padding } }));
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: message }));
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
    } catch {
      res.writeHead(503).end();
    }
  });
});
const port = await listen(server, 0, '127.0.0.1');
console.log(JSON.stringify({ apiUrl: `http://127.0.0.1:${port}` }));
process.on('SIGTERM', () => {
  server.close();
  emulators.stop().then(() => process.exit(0));
});
