import { describe, expect, it } from 'vitest';
import { type LambdaName, lambdas } from '../../functions/routes';
import { synthesize } from './support';

const names = Object.keys(lambdas) as LambdaName[];
const putEvents = (permissions: Record<string, readonly string[]>) =>
  Object.entries(permissions).filter(([, actions]) => actions.includes('events:PutEvents'));

describe('merchant events on EventBridge (-c eventBus)', () => {
  it('is off by default: no function has EVENT_BUS_NAME or may put events anywhere', () => {
    const stack = synthesize();
    for (const name of names) {
      expect(stack.environmentOf(stack.apiTemplate, stack.api, name)).not.toHaveProperty('EVENT_BUS_NAME');
      expect(putEvents(stack.permissionsOf(name)), name).toEqual([]);
    }
  });

  it('gives the worker, and only the worker, the bus name and events:PutEvents on that bus alone', () => {
    const stack = synthesize({ eventBus: 'default' });
    expect(stack.environmentOf(stack.apiTemplate, stack.api, 'payment-worker')).toMatchObject({
      EVENT_BUS_NAME: 'default',
    });
    const [granted, ...more] = putEvents(stack.permissionsOf('payment-worker'));
    expect(more).toEqual([]);
    expect(granted?.[1]).toEqual(['events:PutEvents']);
    // arn:<partition>:events:<region>:<account>:event-bus/default, built from the stack's own account.
    expect(granted?.[0]).toContain(':events:');
    expect(granted?.[0]).toContain(':event-bus/default');
    for (const name of names.filter((n) => n !== 'payment-worker')) {
      expect(putEvents(stack.permissionsOf(name)), name).toEqual([]);
    }
  });

  it('takes a bus ARN as it is, for a bus in another account', () => {
    const arn = 'arn:aws:events:eu-west-1:111122223333:event-bus/shop-payments';
    const stack = synthesize({ eventBus: arn });
    expect(putEvents(stack.permissionsOf('payment-worker'))).toEqual([
      [JSON.stringify(arn), ['events:PutEvents']],
    ]);
  });

  it('fails synth on a value that is no bus name, saying what it must be', () => {
    expect(() => synthesize({ eventBus: 'my bus!' })).toThrow(
      'Context eventBus must be default, a bus name or a bus ARN, not "my bus!"',
    );
  });
});
