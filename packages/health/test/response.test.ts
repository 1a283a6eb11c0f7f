import { describe, expect, it } from 'vitest';
import { INVALID_OPTION } from '@breakwater/core';
import { HEALTH_CONTENT_TYPE, toHealthResponse, type HealthReport } from '@breakwater/health';
import { manualHealth } from './helpers.ts';

const SECRET = 'redis://app:hunter2@10.1.2.3:6379';

function report(status: HealthReport['status']): HealthReport {
  return { probe: 'readiness', status, checks: {} };
}

describe('toHealthResponse()', () => {
  it('answers 200 for pass and warn, 503 for fail, as application/health+json that no cache may keep', () => {
    for (const [status, code] of [['pass', 200], ['warn', 200], ['fail', 503]] as const) {
      const response = toHealthResponse(report(status));
      expect(response.statusCode).toBe(code);
      expect(response.headers).toEqual({ 'content-type': 'application/health+json', 'cache-control': 'no-store' });
      expect(response.body).toEqual({ status, checks: {} });
    }
    expect(HEALTH_CONTENT_TYPE).toBe('application/health+json');
  });

  it('leaks no error text, value or time in a public body: status and check names only', async () => {
    const { health } = manualHealth();
    health.register('redis', {
      measurement: 'responseTime',
      componentType: 'datastore',
      run: () => {
        throw new Error(`connect ECONNREFUSED ${SECRET}`);
      },
    });
    health.register('queue', () => ({ status: 'warn', observedValue: 'v1.2.3 on host-7', output: `lagging on ${SECRET}` }));
    const ready = await health.ready();
    const { body, statusCode } = toHealthResponse(ready);
    expect(statusCode).toBe(503);
    expect(body).toEqual({ status: 'fail', checks: { 'redis:responseTime': [{ status: 'fail' }], queue: [{ status: 'warn' }] } });
    const text = JSON.stringify(body);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('ECONNREFUSED');
    expect(text).not.toContain('host-7');
  });

  it('carries the details when exposeDetails is true, without the internal critical flag', async () => {
    const { health } = manualHealth();
    health.register('redis', { measurement: 'responseTime', componentType: 'datastore', run: () => Promise.reject(new Error('ECONNREFUSED')) });
    const { body } = toHealthResponse(await health.ready(), { exposeDetails: true });
    expect(body).toEqual({
      status: 'fail',
      checks: { 'redis:responseTime': [{ status: 'fail', componentType: 'datastore', time: '1970-01-01T00:00:00.000Z', output: 'ECONNREFUSED' }] },
    });
  });

  it('checks its options', () => {
    expect(() => toHealthResponse(report('pass'), { exposeDetails: 'yes' as never })).toThrow(
      expect.objectContaining({ code: INVALID_OPTION, message: 'Expected `exposeDetails` to be a boolean, got `"yes"` (string)' }),
    );
    expect(() => toHealthResponse(report('pass'), { details: true } as never)).toThrow('Unknown option `details` for toHealthResponse()');
  });
});
