import { describe, expect, it } from 'vitest';
import { describeNetworkFailure, networkErrorCode } from '../../adapters/http/network-failure';

/** Errors shaped as undici throws them: `TypeError('fetch failed')` with the socket's error as its cause. */
const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause });
const coded = (code: string, message = '') => Object.assign(new Error(message), { code });

describe('why a request got no answer', () => {
  it('reads the code undici keeps in the cause, not "fetch failed"', () => {
    expect(describeNetworkFailure(fetchFailed(coded('ECONNRESET', 'read ECONNRESET')), 1000)).toBe(
      'connection reset by the server (ECONNRESET)',
    );
  });

  it('looks inside an AggregateError (one error per address tried)', () => {
    const both = Object.assign(
      new AggregateError([coded('ECONNREFUSED', 'connect ECONNREFUSED ::1:80'), coded('ECONNREFUSED')], ''),
      { code: 'ECONNREFUSED' },
    );

    expect(describeNetworkFailure(fetchFailed(both), 1000)).toBe('connection refused (ECONNREFUSED)');
    expect(networkErrorCode(fetchFailed(both))).toBe('ECONNREFUSED');
  });

  it('names a certificate problem as TLS with what Node says of it', () => {
    const expired = coded('CERT_HAS_EXPIRED', 'certificate has expired');

    expect(describeNetworkFailure(fetchFailed(expired), 1000)).toBe(
      'TLS: certificate has expired (CERT_HAS_EXPIRED)',
    );
  });

  it("leaves out Node 24's advice about its own --use-system-ca flag, which means nothing on Lambda", () => {
    const selfSigned = coded(
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'self-signed certificate; if the root CA is installed locally, try running Node.js with --use-system-ca',
    );

    expect(describeNetworkFailure(fetchFailed(selfSigned), 1000)).toBe(
      'TLS: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)',
    );
  });

  it('says how long it waited when the timeout fired', () => {
    expect(describeNetworkFailure(new DOMException('The operation was aborted', 'TimeoutError'), 750)).toBe(
      'timed out after 750 ms',
    );
  });

  it('keeps an unknown code with its message, and falls back to the innermost message', () => {
    expect(describeNetworkFailure(fetchFailed(coded('EPROTO', 'protocol error')), 1000)).toBe(
      'protocol error (EPROTO)',
    );
    expect(describeNetworkFailure(fetchFailed(new Error('socket hang up')), 1000)).toBe('socket hang up');
  });

  it('stops at a cause chain that loops', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.defineProperty(a, 'cause', { value: b });

    expect(describeNetworkFailure(b, 1000)).toBe('a');
  });
});
