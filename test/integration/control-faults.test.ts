import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GatewaySimulator, startGatewaySimulator } from '../../local/altapay-simulator/index';

/**
 * The simulator's control API for faults (`/control/faults`) over HTTP, on the simulator alone: what
 * it queues, lists and clears, and the 400s that tell a shop developer what a field must look like.
 * What each fault then does to the merchant's product: simulator-faults.test.ts.
 */
let simulator: GatewaySimulator;

beforeAll(async () => {
  simulator = await startGatewaySimulator({
    port: 0,
    credentials: { username: 'shop-api', password: 'test-password' },
  });
});
afterAll(() => simulator.stop());
beforeEach(() => {
  simulator.faults.clear();
});

async function control(method: string, body?: string, path = '/control/faults') {
  const response = await fetch(`${simulator.url}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body }),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe('POST /control/faults', () => {
  it('queues a fault and answers 201 with what it queued', async () => {
    const answer = await control('POST', '{"fault":"api-slow","seconds":2.5,"method":"payments"}');

    expect(answer).toEqual({
      status: 201,
      contentType: 'application/json; charset=utf-8',
      body: { queued: { fault: 'api-slow', seconds: 2.5, method: 'payments' } },
    });
    expect(simulator.faults.pending()).toEqual([{ fault: 'api-slow', seconds: 2.5, method: 'payments' }]);
  });

  it.each([
    [
      'not JSON',
      'fault=callback-lost',
      'The body must be JSON, e.g. {"fault": "callback-slow", "seconds": 30}.',
    ],
    [
      'not an object',
      '["callback-lost"]',
      'The body must be a JSON object, e.g. {"fault": "callback-slow", "seconds": 30}.',
    ],
    [
      'an unknown field',
      '{"fault":"callback-lost","count":2}',
      'Field count is not known: a fault has fault, method and seconds.',
    ],
    ['an unknown fault', '{"fault":"lost"}', 'Field fault must be one of callback-lost, callback-slow,'],
    [
      'a slow fault without seconds',
      '{"fault":"callback-slow"}',
      'Field seconds is required for callback-slow: a number of seconds from 0 to 600',
    ],
    ['seconds as text', '{"fault":"api-slow","seconds":"30"}', 'Field seconds is required for api-slow'],
    [
      'a method on a click fault',
      '{"fault":"callback-lost","method":"payments"}',
      'Field method applies only to the api-* faults',
    ],
    [
      'an unknown method',
      '{"fault":"api-down","method":"capture"}',
      'Field method must be one of login, testConnection, createPaymentRequest, payments,',
    ],
  ])('answers 400 to %s, saying what it must look like, and queues nothing', async (_, body, message) => {
    const answer = await control('POST', body);

    expect(answer.status).toBe(400);
    expect(answer.contentType).toBe('application/json; charset=utf-8');
    expect(String(answer.body.error)).toContain(message);
    expect(simulator.faults.pending()).toEqual([]);
  });
});

describe('GET and DELETE /control/faults', () => {
  it('lists what waits, oldest first, and clears it saying how many', async () => {
    await control('POST', '{"fault":"callback-lost"}');
    await control('POST', '{"fault":"api-down","method":"createPaymentRequest"}');

    expect((await control('GET')).body).toEqual({
      pending: [{ fault: 'callback-lost' }, { fault: 'api-down', method: 'createPaymentRequest' }],
    });
    expect(await control('DELETE')).toMatchObject({ status: 200, body: { cleared: 2 } });
    expect((await control('GET')).body).toEqual({ pending: [] });
  });

  it('answers 405 to another method and 404 to a path below it', async () => {
    expect(await control('PUT', '{}')).toMatchObject({
      status: 405,
      body: { error: expect.stringContaining('GET, POST or DELETE') },
    });
    expect(await control('GET', undefined, '/control/faults/1')).toMatchObject({
      status: 404,
      body: { error: expect.stringContaining('/control/faults') },
    });
  });
});

describe('a fault chosen on the payment page', () => {
  it.each([
    [
      'an API fault',
      'fault=api-down',
      'The payment page rehearses click faults only; api-down is for the next API call.',
    ],
    [
      'a late callback without its seconds',
      'fault=callback-slow&seconds=soon',
      'Field seconds is required for callback-slow',
    ],
  ])('answers 400 to %s in the form, before anything is paid', async (_, fields, message) => {
    const response = await fetch(`${simulator.url}/eCommerce/API/pay?pid=unknown`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `outcome=success&${fields}`,
    });

    expect(response.status).toBe(400);
    expect(await response.text()).toContain(message);
  });
});
