/**
 * Why an outgoing HTTP request got no answer, in words an operator can act on. `fetch` (undici) throws
 * `TypeError: fetch failed` and keeps the real reason in `error.cause`, sometimes one level deeper
 * (an AggregateError for each address tried, a TLS error wrapped in a socket error); an abort by
 * `AbortSignal.timeout` is a DOMException named TimeoutError.
 */

/** Socket and DNS codes, as Node and undici name them, and what they mean to an operator. */
const networkCodes: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  EPIPE: 'connection closed by the server while sending',
  ENOTFOUND: 'DNS lookup failed',
  EAI_AGAIN: 'DNS lookup failed for now',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no answer headers in time',
  UND_ERR_BODY_TIMEOUT: 'the answer body stalled',
  UND_ERR_SOCKET: 'connection closed by the server',
};

/** Certificate and handshake failures: Node's message says which ("self-signed certificate"). */
function isTlsCode(code: string): boolean {
  return (
    /CERT|SSL|TLS/.test(code) ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'UNABLE_TO_GET_ISSUER_CERT' ||
    code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'
  );
}

/** The most specific `code` in the error's cause chain ('' when none has one). */
export function networkErrorCode(error: unknown): string {
  return innermostCoded(error)?.code ?? '';
}

/** True when the request was aborted by its timeout signal. */
export function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/**
 * One short phrase for a request that got no answer: "connection refused (ECONNREFUSED)", "DNS lookup
 * failed (ENOTFOUND)", "TLS: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)", "timed out after
 * 5000 ms". Falls back to the innermost message, so nothing is hidden behind "fetch failed".
 */
export function describeNetworkFailure(error: unknown, timeoutMs: number): string {
  if (isTimeout(error)) return `timed out after ${timeoutMs} ms`;
  const coded = innermostCoded(error);
  if (coded !== undefined) {
    const meaning = networkCodes[coded.code];
    if (meaning !== undefined) return `${meaning} (${coded.code})`;
    if (isTlsCode(coded.code)) return `TLS: ${tlsProblem(coded.message)} (${coded.code})`;
    return coded.message ? `${coded.message} (${coded.code})` : coded.code;
  }
  const chain = causeChain(error);
  const innermost = chain.at(-1);
  return innermost instanceof Error ? innermost.message : String(innermost);
}

/** The error and its causes, outermost first; an AggregateError contributes its first error. */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  // Bounded: a cause chain can, in principle, loop back on itself.
  while (current !== undefined && current !== null && chain.length < 8 && !chain.includes(current)) {
    chain.push(current);
    if (current instanceof AggregateError && current.errors.length > 0) current = current.errors[0];
    else current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

function innermostCoded(error: unknown): { code: string; message: string } | undefined {
  for (const link of causeChain(error).reverse()) {
    if (typeof link !== 'object' || link === null) continue;
    const code = Reflect.get(link, 'code');
    if (typeof code === 'string' && code !== '') {
      const message = link instanceof Error ? link.message : '';
      return { code, message };
    }
  }
  return undefined;
}

/**
 * The certificate problem itself. Node 24 appends advice about its own `--use-system-ca` flag to
 * certificate errors, which is no help to a merchant reading why a Lambda's delivery failed.
 */
function tlsProblem(message: string): string {
  return (
    message.replace(
      /; if the root CA is installed locally, try running Node\.js with --use-system-ca$/,
      '',
    ) || 'handshake failed'
  );
}
