import { describe, expect, it, vi } from 'vitest';
import { addPaymentsStacks } from '../../infra/payments-app';
import { testApp } from './support';

// The real route table with one function added that nothing invokes: what a forgotten route or event
// source looks like. Mocked for this file only, so the CDK app is built from it exactly as from the real one.
vi.mock('../../functions/routes', async (importOriginal) => {
  const routes = await importOriginal<typeof import('../../functions/routes')>();
  return {
    ...routes,
    lambdas: {
      ...routes.lambdas,
      'forgotten-function': {
        name: 'forgotten-function',
        entry: 'functions/forgotten-function/index.ts',
        description: 'Has neither an HTTP route nor an event source',
        timeoutSeconds: 10,
        memoryMb: 256,
      },
    },
  };
});

describe('the CDK app', () => {
  it('refuses to synthesise a function that nothing invokes', () => {
    const app = testApp();
    // Named in the message, and caught before NodejsFunction would fail on the missing entry file.
    expect(() => addPaymentsStacks(app)).toThrow(
      'forgotten-function has neither an HTTP route nor an event source',
    );
  });
});
