/**
 * JSON in and out for the simulator's control API: both route groups (control-faults.ts,
 * control-actions.ts) read a small JSON object and answer JSON the same way.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A posted body, or what is wrong with it; each route group says it in its own words. */
export type JsonBody =
  | { readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly ok: false; readonly problem: 'too large' | 'not JSON' | 'not an object' };

/** Reads at most `maxBytes` of the body (the rest is not read) as one JSON object; an empty body is `{}` when `emptyIsObject`. */
export async function readJsonObject(
  req: IncomingMessage,
  maxBytes: number,
  emptyIsObject: boolean,
): Promise<JsonBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return { ok: false, problem: 'too large' };
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (emptyIsObject && text.trim() === '') return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problem: 'not an object' };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = Buffer.from(`${JSON.stringify(body)}\n`, 'utf8');
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', payload.length);
  res.end(payload);
}
