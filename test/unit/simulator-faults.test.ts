import { describe, expect, it } from 'vitest';
import { FaultInputError, FaultQueue, parseFault } from '../../local/altapay-simulator/faults';

describe('the fault queue', () => {
  it('gives the oldest click fault to the next click, whatever API faults wait before it', () => {
    const queue = new FaultQueue();
    queue.push({ fault: 'api-down' });
    queue.push({ fault: 'callback-lost' });
    queue.push({ fault: 'callback-twice' });

    expect(queue.takeClickFault()).toEqual({ fault: 'callback-lost' });
    expect(queue.takeClickFault()).toEqual({ fault: 'callback-twice' });
    expect(queue.takeClickFault()).toBeUndefined();
    expect(queue.pending()).toEqual([{ fault: 'api-down' }]);
  });

  it('gives an API fault to the next call of its method, or to any call when it names none', () => {
    const queue = new FaultQueue();
    queue.push({ fault: 'api-result-error', method: 'captureReservation' });
    queue.push({ fault: 'api-slow', seconds: 2 });

    expect(queue.takeApiFault('payments')).toEqual({ fault: 'api-slow', seconds: 2 });
    expect(queue.takeApiFault('payments')).toBeUndefined();
    expect(queue.takeApiFault('captureReservation')).toEqual({
      fault: 'api-result-error',
      method: 'captureReservation',
    });
  });

  it('never gives a click fault to an API call, nor an API fault to a click', () => {
    const queue = new FaultQueue();
    queue.push({ fault: 'callback-slow', seconds: 1 });
    expect(queue.takeApiFault('payments')).toBeUndefined();
    queue.clear();
    queue.push({ fault: 'api-header-error' });
    expect(queue.takeClickFault()).toBeUndefined();
  });

  it('clears what waits and says how much that was', () => {
    const queue = new FaultQueue();
    queue.push({ fault: 'callback-lost' });
    queue.push({ fault: 'api-down', method: 'payments' });

    expect(queue.clear()).toBe(2);
    expect(queue.pending()).toEqual([]);
    expect(queue.clear()).toBe(0);
  });
});

describe('reading a fault as a shop developer writes it', () => {
  it('reads each kind with its parameters', () => {
    expect(parseFault({ fault: 'callback-slow', seconds: 30 })).toEqual({
      fault: 'callback-slow',
      seconds: 30,
    });
    expect(parseFault({ fault: 'callback-slow', seconds: 0.5 })).toEqual({
      fault: 'callback-slow',
      seconds: 0.5,
    });
    expect(parseFault({ fault: 'api-down', method: 'payments' })).toEqual({
      fault: 'api-down',
      method: 'payments',
    });
    expect(parseFault({ fault: 'ok-after-fail' })).toEqual({ fault: 'ok-after-fail' });
  });

  it.each([
    [
      { fault: 'callback-dropped' },
      'Field fault must be one of callback-lost, callback-slow, callback-twice, notification-before-ok, ok-after-fail, api-down, api-slow, api-result-error, api-header-error, api-timeout, api-answer-lost, api-unauthorized, api-http-500.',
    ],
    [{}, 'Field fault must be one of callback-lost,'],
    [
      { fault: 'callback-slow' },
      'Field seconds is required for callback-slow: a number of seconds from 0 to 600, e.g. 30 or 0.5.',
    ],
    [
      { fault: 'api-slow', seconds: -1 },
      'Field seconds is required for api-slow: a number of seconds from 0',
    ],
    [{ fault: 'api-slow', seconds: '30' }, 'Field seconds is required for api-slow'],
    [{ fault: 'api-slow', seconds: Number.NaN }, 'Field seconds is required for api-slow'],
    [{ fault: 'api-slow', seconds: 601 }, 'Field seconds is required for api-slow'],
    [{ fault: 'callback-lost', seconds: 3 }, 'Field seconds applies only to callback-slow and api-slow.'],
    [
      { fault: 'callback-twice', method: 'payments' },
      'Field method applies only to the api-* faults: callback-twice applies to the next customer click.',
    ],
    [
      { fault: 'api-down', method: 'capture' },
      'Field method must be one of login, testConnection, createPaymentRequest, payments,',
    ],
  ])('refuses %j, saying what is wrong', (fields, message) => {
    expect(() => parseFault(fields)).toThrow(FaultInputError);
    expect(() => parseFault(fields)).toThrow(message);
  });
});
