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
import { readJsonObject, sendJson } from './control-json';
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
    return sendJson(res, 404, { error: `Nothing is served at ${path}; the faults are at /control/faults.` });
  }
  switch (req.method) {
    case 'GET':
      return sendJson(res, 200, { pending: faults.pending() });
    case 'DELETE':
      return sendJson(res, 200, { cleared: faults.clear() });
    case 'POST': {
      const body = await readJson(req);
      if (body instanceof FaultInputError) return sendJson(res, 400, { error: body.message });
      try {
        return sendJson(res, 201, { queued: faults.push(parseFault(body)) });
      } catch (error) {
        if (error instanceof FaultInputError) return sendJson(res, 400, { error: error.message });
        throw error;
      }
    }
    default:
      res.setHeader('allow', 'GET, POST, DELETE');
      return sendJson(res, 405, {
        error: `Method ${req.method} is not allowed here: use GET, POST or DELETE.`,
      });
  }
}

/** The body as a JSON object with only fault, method and seconds; or why it is not one. */
async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | FaultInputError> {
  const body = await readJsonObject(req, maxBodyBytes, false);
  const example = 'e.g. {"fault": "callback-slow", "seconds": 30}';
  if (!body.ok) {
    if (body.problem === 'too large')
      return new FaultInputError(`The body must be under ${maxBodyBytes} bytes.`);
    if (body.problem === 'not JSON') return new FaultInputError(`The body must be JSON, ${example}.`);
    return new FaultInputError(`The body must be a JSON object, ${example}.`);
  }
  const unknown = Object.keys(body.value).find((key) => !knownFields.has(key));
  if (unknown !== undefined) {
    return new FaultInputError(`Field ${unknown} is not known: a fault has fault, method and seconds.`);
  }
  return body.value;
}
