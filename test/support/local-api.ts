import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, vi } from 'vitest';
import { httpRoutes } from '../../functions/routes';
import { type ApiServer, startApiServer } from '../../local/api-gateway-server';
import { stopBundledFunctions } from '../../local/bundled/bundled-loader';
import { requireFreshAssembly } from '../../local/bundled/cloud-assembly';
import { fakeCredentials, localRegion } from '../../local/emulators';
import { loadLambdaHandler, localFunctions } from '../../local/lambda-loader';
import { encodeFormBody } from '../../shared/altapay/form-body';
import type { CallbackType } from '../../shared/payments/payment';
import { type EmulatorStack, receiveAll } from './emulators';

export interface LocalApi {
  readonly url: string;
  /** POSTs a callback form to the route of `callbackType`, as the gateway does. */
  postCallback(callbackType: CallbackType, fields: Record<string, string>): Promise<Response>;
  /** POSTs raw bytes with any content type (and any other headers), for hostile-input tests. */
  post(
    path: string,
    body: string | Uint8Array,
    contentType?: string,
    headers?: Record<string, string>,
  ): Promise<Response>;
  getPayment(shopOrderId: string): Promise<Response>;
  /** Every item in the payments table. */
  tableItems(): Promise<Record<string, unknown>[]>;
  /** Drains the work queue and returns the parsed messages. */
  queuedWork(): Promise<Record<string, unknown>[]>;
}

/**
 * The real local stack for a test file: the emulators of `stack`, the Lambda entries loaded fresh
 * with `settings` in the environment (module scope runs again, like a cold start), behind the same
 * HTTP adapter `npm start` uses.
 */
export function useLocalApi(stack: EmulatorStack, settings: Record<string, string> = {}): LocalApi {
  let server: ApiServer | undefined;
  beforeAll(async () => {
    for (const [name, value] of Object.entries({ ...stack.env, ...settings })) vi.stubEnv(name, value);
    vi.resetModules();
    if (localFunctions() === 'bundled') requireFreshAssembly();
    server = await startApiServer({
      port: 0,
      routes: httpRoutes,
      loadHandler: loadLambdaHandler,
      onError: () => {},
    });
  });
  afterAll(async () => {
    await server?.close();
    await stopBundledFunctions();
    vi.unstubAllEnvs();
  });
  const url = () => {
    if (server === undefined) throw new Error('useLocalApi(): use it inside a test');
    return server.url;
  };
  const api: LocalApi = {
    get url() {
      return url();
    },
    post: (path, body, contentType = 'application/x-www-form-urlencoded', headers = {}) =>
      fetch(`${url()}${path}`, {
        method: 'POST',
        body,
        headers: { ...headers, 'content-type': contentType },
        redirect: 'manual',
      }),
    postCallback: (callbackType, fields) => api.post(`/callbacks/${callbackType}`, encodeFormBody(fields)),
    getPayment: (shopOrderId) => fetch(`${url()}/payments/${encodeURIComponent(shopOrderId)}`),
    async tableItems() {
      const client = DynamoDBDocumentClient.from(
        new DynamoDBClient({
          region: localRegion,
          endpoint: stack.dynamodbEndpoint,
          credentials: fakeCredentials,
        }),
      );
      const { Items = [] } = await client.send(
        new ScanCommand({ TableName: stack.tableName, ConsistentRead: true }),
      );
      return Items;
    },
    async queuedWork() {
      return (await receiveAll(stack.sqsEndpoint, stack.queueUrl)).map((body) => JSON.parse(body));
    },
  };
  return api;
}
