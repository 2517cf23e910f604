/**
 * The control API's faults (group 1): queue a fault for the next customer click or Merchant API call,
 * see what is waiting, clear it. JSON in and out, no authentication: the simulator listens on
 * 127.0.0.1 unless told otherwise (docs/altapay-protocol.md §12).
 *
 *   POST   /control/faults  {"fault": <name>, "method"?: <Merchant API method>, "seconds"?: <number>}
 *          -> 201 {"queued": {...}}
 *   GET    /control/faults  -> 200 {"pending": [...]}
 *   DELETE /control/faults  -> 200 {"cleared": n}
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultInputError, type FaultQueue, parseFault } from './faults';

/** A fault is three small fields; anything much larger is not one. */
const maxBodyBytes = 16 * 1024;

const knownFields = new Set(['fault', 'method', 'seconds']);

/** Answers a request under `/control/faults`. */
export async function serveFaultControl(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  faults: FaultQueue,
): Promise<void> {
  if (path !== '/control/faults' && path !== '/control/faults/') {
    return json(res, 404, { error: `Nothing is served at ${path}; the faults are at /control/faults.` });
  }
  switch (req.method) {
    case 'GET':
      return json(res, 200, { pending: faults.pending() });
    case 'DELETE':
      return json(res, 200, { cleared: faults.clear() });
    case 'POST': {
      const body = await readJson(req);
      if (body instanceof FaultInputError) return json(res, 400, { error: body.message });
      try {
        return json(res, 201, { queued: faults.push(parseFault(body)) });
      } catch (error) {
        if (error instanceof FaultInputError) return json(res, 400, { error: error.message });
        throw error;
      }
    }
    default:
      res.setHeader('allow', 'GET, POST, DELETE');
      return json(res, 405, { error: `Method ${req.method} is not allowed here: use GET, POST or DELETE.` });
  }
}

/** The body as a JSON object with only fault, method and seconds; or why it is not one. */
async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | FaultInputError> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) return new FaultInputError(`The body must be under ${maxBodyBytes} bytes.`);
    chunks.push(chunk as Buffer);
  }
  const example = 'e.g. {"fault": "callback-slow", "seconds": 30}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return new FaultInputError(`The body must be JSON, ${example}.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return new FaultInputError(`The body must be a JSON object, ${example}.`);
  }
  const unknown = Object.keys(parsed).find((key) => !knownFields.has(key));
  if (unknown !== undefined) {
    return new FaultInputError(`Field ${unknown} is not known: a fault has fault, method and seconds.`);
  }
  return parsed as Record<string, unknown>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const payload = Buffer.from(`${JSON.stringify(body)}\n`, 'utf8');
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', payload.length);
  res.end(payload);
}
