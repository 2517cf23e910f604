import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  ClientError,
  DependencyError,
  GatewayError,
  MalformedRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../shared/errors';
import { type PageCatalogue, type PageLanguage, type PageTexts, renderNoticePage } from '../shared/pages';
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

/** How errors are answered: JSON for programs, a readable page for a customer's browser. */
export type ErrorFormat = 'json' | CustomerPageSettings;

/** What a page for a customer's browser needs: their language, the shop to go back to, the texts. */
export interface CustomerPageSettings {
  readonly language: PageLanguage;
  readonly merchantName: string;
  readonly shopUrl?: string;
  readonly catalogue: PageCatalogue;
}

/**
 * Maps any error to an answer. Only a ClientError's own message reaches the caller; a failing
 * dependency is a bare 503 (our writes are idempotent, so retrying is safe); anything else a bare 500.
 * A browser gets the same status with a page in its language instead of JSON: what to do next, then a
 * ClientError's own message in small print for the shop's developer; never our internals.
 */
export function errorResponse(error: unknown, log: Log, format: ErrorFormat = 'json'): APIGatewayProxyResult {
  const { status, body } = describeError(error, log);
  if (format === 'json') return jsonResponse(status, body);
  const texts = format.catalogue[format.language];
  const [heading, message] = customerNotice(status, texts);
  return htmlResponse(
    status,
    renderNoticePage({
      heading,
      message,
      ...(error instanceof ClientError ? { detail: body.message } : {}),
      merchantName: format.merchantName,
      language: format.language,
      catalogue: format.catalogue,
      ...(format.shopUrl === undefined ? {} : { shopUrl: format.shopUrl }),
    }),
  );
}

function customerNotice(status: number, texts: PageTexts): readonly [string, string] {
  if (status === 409) return [texts.conflictHeading, texts.conflictMessage];
  if (status < 500) return [texts.notAcceptedHeading, texts.notAcceptedMessage];
  return [texts.unavailableHeading, texts.unavailableMessage];
}

function describeError(
  error: unknown,
  log: Log,
): { status: number; body: { error: string; message: string; reason?: string } } {
  if (error instanceof ClientError) {
    log.warn('request rejected', { status: error.status, code: error.code, reason: error.message });
    return { status: error.status, body: { error: error.code, message: error.message } };
  }
  if (error instanceof GatewayError) {
    log.error('gateway failed', {
      reason: error.reason,
      message: error.message,
      cause: describeCause(error.cause),
    });
    return { status: 502, body: { error: 'gateway_error', reason: error.reason, message: error.message } };
  }
  if (error instanceof DependencyError) {
    log.error('dependency failed', {
      dependency: error.dependency,
      reason: error.message,
      cause: describeCause(error.cause),
    });
    return { status: 503, body: { error: 'temporarily_unavailable', message: 'Please retry shortly.' } };
  }
  log.error('unexpected error', { cause: describeCause(error) });
  return { status: 500, body: { error: 'internal_error', message: 'Internal error.' } };
}

/**
 * The API's public base URL as the caller reached it: `https://<api id>.execute-api.<region>.amazonaws.com/<stage>`
 * on AWS. Behind a custom domain or locally, configure PUBLIC_BASE_URL instead.
 */
export function publicBaseUrl(event: APIGatewayProxyEvent): URL {
  return new URL(`https://${event.requestContext.domainName}/${event.requestContext.stage}/`);
}

/** The media type of the request body, lower-case, without parameters ('' when absent). */
export function mediaType(event: APIGatewayProxyEvent): string {
  return (header(event, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function describeCause(cause: unknown): string | undefined {
  if (cause === undefined) return undefined;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}
