import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MerchantWebhook } from '../../adapters/http/merchant-webhook';
import { WebhookDeliveryError } from '../../shared/errors';
import type { MerchantEvent } from '../../shared/ports';
import { deliver } from '../../shared/worker/deliver-event';
import { tempDir } from '../support/temp-dir';

/**
 * Why a webhook delivery failed, as the worker records it: real sockets, real DNS, a real TLS
 * handshake; never `TypeError: fetch failed`.
 */

const signingKey = `whsec_${randomBytes(32).toString('base64')}`;
const event: MerchantEvent = {
  eventId: 'evt_cause_1',
  type: 'payment.reserved',
  body: '{"type":"payment.reserved","data":{"shopOrderId":"order-cause"}}',
};
const servers: Server[] = [];

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listening(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A port on the loopback where nothing listens any more. */
async function closedPort(): Promise<number> {
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const webhook = (url: string, timeoutMs = 2_000) =>
  new MerchantWebhook({ url: new URL(url), signingKey, timeoutMs });

/** What the worker records for one delivery run (no retries) to `url`. */
async function recordedAttempt(url: string, timeoutMs?: number) {
  const run = await deliver(
    { deliveryBackoffMs: [], sleep: async () => {} },
    webhook(url, timeoutMs),
    event,
    () => new Date().toISOString(),
  );
  expect(run.delivered).toBe(false);
  expect(run.attempts).toHaveLength(1);
  return run.attempts[0];
}

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('a webhook delivery that fails records why', () => {
  it('a closed port: connection refused (ECONNREFUSED)', async () => {
    const port = await closedPort();

    const attempt = await recordedAttempt(`http://127.0.0.1:${port}/events`);

    expect(attempt?.error).toBe('connection refused (ECONNREFUSED)');
    expect(attempt?.status).toBeUndefined();
  });

  it('a host name that does not resolve: DNS lookup failed (ENOTFOUND)', async () => {
    // `.invalid` never resolves (RFC 2606), so no resolver can answer it.
    const attempt = await recordedAttempt('http://merchant.invalid/events');

    expect(attempt?.error).toBe('DNS lookup failed (ENOTFOUND)');
  });

  it('a server that never answers: timed out after the adapter timeout', async () => {
    const port = await listening(createHttpServer(() => {}));

    const attempt = await recordedAttempt(`http://127.0.0.1:${port}/events`, 150);

    expect(attempt?.error).toBe('timed out after 150 ms');
  });

  it('an answer with 500 is a status, not an error', async () => {
    const port = await listening(createHttpServer((_, response) => response.writeHead(500).end('boom')));

    const attempt = await recordedAttempt(`http://127.0.0.1:${port}/events`);

    expect(attempt?.status).toBe(500);
    expect(attempt?.error).toBeUndefined();
  });

  it.skipIf(!hasOpenssl)('a certificate nobody vouches for: TLS and the certificate problem', async () => {
    const dir = tempDir('webhook-tls-');
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      // biome-ignore format: one option and its value per line would hide the command
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=merchant.test'],
      { stdio: 'ignore' },
    );
    const tls = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_, response) =>
      response.writeHead(204).end(),
    );
    const port = await listening(tls);

    const attempt = await recordedAttempt(`https://127.0.0.1:${port}/events`);

    expect(attempt?.error).toBe('TLS: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)');
  });

  it('the adapter throws a WebhookDeliveryError that keeps the original failure as its cause', async () => {
    const port = await closedPort();

    const failure = await webhook(`http://127.0.0.1:${port}/events`)
      .deliver(event)
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(WebhookDeliveryError);
    expect((failure as WebhookDeliveryError).cause).toBeInstanceOf(TypeError);
  });
});
