import { describe, expect, it } from 'vitest';
import type { MerchantEvent, MerchantNotifier } from '../../shared/ports';
import { fanOut } from '../../shared/worker/fan-out-notifier';

const event: MerchantEvent = { eventId: 'evt_1', type: 'payment.reserved', body: '{}' };

/** A destination that records what it was given and answers `answer` (a status, or an error to throw). */
function destination(name: string, calls: string[], answer: number | Error): MerchantNotifier {
  return {
    async deliver(e) {
      calls.push(`${name}:${e.eventId}`);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

describe('fanOut: every merchant event to every configured destination', () => {
  it('is nothing without a destination, and the destination itself when there is one', () => {
    const only = destination('webhook', [], 200);
    expect(fanOut([])).toBeUndefined();
    expect(fanOut([only])).toBe(only);
  });

  it('hands the event to the bus, then the webhook, answering with the webhook status', async () => {
    const calls: string[] = [];
    const both = fanOut([destination('bus', calls, 202), destination('webhook', calls, 204)]);

    expect(await both?.deliver(event)).toBe(204);
    expect(calls).toEqual(['bus:evt_1', 'webhook:evt_1']);
  });

  it('fails the delivery when the bus fails, so the worker retries both later', async () => {
    const calls: string[] = [];
    const both = fanOut([
      destination('bus', calls, new Error('bus down')),
      destination('webhook', calls, 200),
    ]);

    await expect(both?.deliver(event)).rejects.toThrow('bus down');
    expect(calls).toEqual(['bus:evt_1']);
  });

  it('answers the first non-2xx status without going on', async () => {
    const calls: string[] = [];
    const three = fanOut([
      destination('a', calls, 202),
      destination('b', calls, 500),
      destination('c', calls, 200),
    ]);

    expect(await three?.deliver(event)).toBe(500);
    expect(calls).toEqual(['a:evt_1', 'b:evt_1']);
  });
});
