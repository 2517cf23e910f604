import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  ClientError,
  DependencyError,
  MalformedRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../shared/errors';
import type { Log } from '../shared/ports';

/**
 * API Gateway REST (v1) proxy events in and results out: reading the body, the common response
 * shapes, and the ONE place where errors become HTTP answers.
 */

const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Security headers for everything we answer; payment answers must never be cached. */
const commonHeaders = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** A header's value, looked up case-insensitively (API Gateway keeps the caller's casing). */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/** Refuses a body that is not `application/x-www-form-urlencoded` (charset, if given, must be UTF-8). */
export function requireFormContentType(event: APIGatewayProxyEvent): void {
  const contentType = header(event, 'content-type');
  const [mediaType = '', ...parameters] = (contentType ?? '')
    .split(';')
    .map((part) => part.trim().toLowerCase());
  const charset = parameters
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replaceAll('"', '');
  if (mediaType !== 'application/x-www-form-urlencoded' || (charset !== undefined && charset !== 'utf-8')) {
    throw new UnsupportedMediaTypeError('application/x-www-form-urlencoded (UTF-8)', contentType);
  }
}

/**
 * The request body as bytes, exactly as sent. Refuses a body over `limitBytes` with 413 BEFORE
 * decoding it (the size of base64 is known from its length), and invalid base64 with 400.
 */
export function readBody(event: APIGatewayProxyEvent, limitBytes: number): Uint8Array {
  const body = event.body ?? '';
  if (!event.isBase64Encoded) {
    const size = Buffer.byteLength(body, 'utf8');
    if (size > limitBytes) throw new PayloadTooLargeError(limitBytes, size);
    return Buffer.from(body, 'utf8');
  }
  const padding = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0;
  const size = Math.floor(body.length / 4) * 3 - padding;
  if (size > limitBytes) throw new PayloadTooLargeError(limitBytes, size);
  if (body.length % 4 !== 0 || !base64.test(body)) {
    throw new MalformedRequestError(
      'invalid_base64',
      'Request body is marked base64 but is not valid base64.',
    );
  }
  return Buffer.from(body, 'base64');
}

export function htmlResponse(statusCode: number, html: string): APIGatewayProxyResult {
  return {
    statusCode,
    headers: {
      ...commonHeaders,
      'content-type': 'text/html; charset=utf-8',
      // Our pages need nothing but inline styles; anything else injected into them is inert.
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
    },
    body: html,
  };
}

export function textResponse(statusCode: number, text: string): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { ...commonHeaders, 'content-type': 'text/plain; charset=utf-8' },
    body: text,
  };
}

export function jsonResponse(statusCode: number, value: unknown): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { ...commonHeaders, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(value),
  };
}

export function redirectResponse(location: string): APIGatewayProxyResult {
  return { statusCode: 303, headers: { ...commonHeaders, location }, body: '' };
}

/**
 * Maps any error to an answer. Only a ClientError's own message reaches the caller; a failing
 * dependency is a bare 503 (our writes are idempotent, so retrying is safe); anything else a bare 500.
 */
export function errorResponse(error: unknown, log: Log): APIGatewayProxyResult {
  if (error instanceof ClientError) {
    log.warn('request rejected', { status: error.status, code: error.code, reason: error.message });
    return jsonResponse(error.status, { error: error.code, message: error.message });
  }
  if (error instanceof DependencyError) {
    log.error('dependency failed', {
      dependency: error.dependency,
      reason: error.message,
      cause: describeCause(error.cause),
    });
    return jsonResponse(503, { error: 'temporarily_unavailable', message: 'Please retry shortly.' });
  }
  log.error('unexpected error', { cause: describeCause(error) });
  return jsonResponse(500, { error: 'internal_error', message: 'Internal error.' });
}

function describeCause(cause: unknown): string | undefined {
  if (cause === undefined) return undefined;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}
