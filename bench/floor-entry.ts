import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';

/** The cold-start floor: a function that only builds the two clients every callback needs. */
const clients = [new DynamoDBClient({}), new SQSClient({})];

export const handler = async () => ({ statusCode: 200, body: String(clients.length) });
