import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultServiceName } from '../../functions/metrics';
import { createLogger } from '../../functions/runtime/logger';
import { serviceNameOf } from '../../functions/runtime/service-name';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe("a function's service name", () => {
  it('is the POWERTOOLS_SERVICE_NAME its stack gives it, the default one where nothing sets it', () => {
    expect(serviceNameOf({ POWERTOOLS_SERVICE_NAME: 'altapaytest-payments' })).toBe('altapaytest-payments');
    expect(serviceNameOf({})).toBe(defaultServiceName);
    expect(serviceNameOf({ POWERTOOLS_SERVICE_NAME: '' })).toBe(defaultServiceName);
  });

  it("keys every JSON log line, so a test copy's logs say which copy wrote them", () => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    createLogger({ POWERTOOLS_SERVICE_NAME: 'altapaytest-payments' }).info('started');
    expect(written.map((line) => JSON.parse(line).service)).toEqual(['altapaytest-payments']);
  });
});
