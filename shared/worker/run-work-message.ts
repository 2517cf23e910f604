import { recordCallback, recordQueuedCallback } from '../callbacks/record-callback';
import { MalformedRequestError } from '../errors';
import { describeIssue } from '../validation';
import { processWork, type WorkerDeps } from './process-work';
import { openCallback } from './seal-callback';
import { type WorkMessage, workMessageSchema } from './work-message';

export interface WorkMessageDeps extends WorkerDeps {
  readonly newId: () => string;
  readonly callbackSecrets: readonly string[];
}

/** Reads a queue message; a message that is not one of ours is a MalformedRequestError (poison). */
export function parseWorkMessage(body: string): WorkMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (cause) {
    throw new MalformedRequestError('invalid_message', 'The message is not JSON.', { cause });
  }
  const parsed = workMessageSchema.safeParse(json, { reportInput: true });
  if (!parsed.success)
    throw new MalformedRequestError(
      ...describeIssue(parsed.error, workMessageSchema, {
        field: 'Message field',
        whole: 'The message',
      }),
    );
  return parsed.data;
}

/**
 * Runs one queue message: the slow work of a state change, or a callback that passed every check but
 * could not be recorded while the table was down (recorded now, as of when it arrived; if the table
 * is still down this fails and the queue brings the message back later). A sealed callback whose MAC
 * does not match is a MalformedRequestError: parked, never recorded.
 */
export async function runWorkMessage(deps: WorkMessageDeps, message: WorkMessage): Promise<void> {
  if (message.kind === 'payment-work') {
    const { kind: _, ...work } = message;
    await processWork(deps, work);
    return;
  }
  if (message.kind === 'sealed-callback') {
    await recordQueuedCallback(deps, openCallback(message, deps.callbackSecrets));
    return;
  }
  // The raw format queued before callbacks were sealed: its checksum is verified again, as then.
  const receivedAt = new Date(message.receivedAt);
  await recordCallback(
    { ...deps, clock: { now: () => receivedAt }, queueWhenTableFails: false },
    message.callbackType,
    Buffer.from(message.body, 'base64'),
  );
}
