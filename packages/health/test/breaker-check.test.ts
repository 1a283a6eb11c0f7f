import { describe, expect, it } from 'vitest';
import { circuitBreaker, consecutive } from '@breakwater/circuit-breaker';
import { breakerCheck } from '@breakwater/health';
import { manualClock, manualHealth } from './helpers.ts';

const fail = (): Promise<never> => Promise.reject(new Error('down'));

describe('breakerCheck()', () => {
  it('flips readiness to fail when a real circuitBreaker() opens, warns while half-open, passes once it closed', async () => {
    const time = manualClock();
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 2 }), breakDuration: 1_000, clock: time.clock });
    const { health, advance } = manualHealth({ cacheMs: 0 });
    health.register('payments', breakerCheck(breaker));

    expect((await health.ready()).checks['payments:state']).toEqual([
      { status: 'pass', componentType: 'component', observedValue: 'closed', time: '1970-01-01T00:00:00.000Z', critical: true },
    ]);
    await expect(breaker.execute(fail)).rejects.toThrow('down');
    expect((await health.ready()).status).toBe('pass');
    await expect(breaker.execute(fail)).rejects.toThrow('down');
    expect(breaker.state).toBe('open');

    const open = await health.ready();
    expect(open.status).toBe('fail');
    expect(open.checks['payments:state']?.[0]).toMatchObject({ status: 'fail', observedValue: 'open', output: 'the circuit is open' });

    // The break is over but nothing called the breaker yet: warn, so traffic comes back to probe it.
    time.advance(1_000);
    advance(1_000);
    expect(breaker.state).toBe('open');
    expect((await health.ready()).checks['payments:state']?.[0]).toMatchObject({
      status: 'warn',
      observedValue: 'open',
      output: 'the break is over: the next call probes the dependency',
    });
    const probe = breaker.execute(() => new Promise<string>((resolve) => setImmediate(() => resolve('ok'))));
    expect(breaker.state).toBe('half-open');
    expect((await health.ready()).checks['payments:state']?.[0]).toMatchObject({ status: 'warn', observedValue: 'half-open' });
    await probe;
    expect(breaker.state).toBe('closed');
    expect((await health.ready()).status).toBe('pass');
  });

  it("with whenOpen: 'warn' keeps the instance ready (200) but degraded while the breaker is open or isolated", async () => {
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 1 }) });
    const { health } = manualHealth({ cacheMs: 0 });
    health.register('recommendations', breakerCheck(breaker, { whenOpen: 'warn' }));
    await expect(breaker.execute(fail)).rejects.toThrow('down');
    const report = await health.ready();
    expect(report.status).toBe('warn');
    expect(report.checks['recommendations:state']?.[0]).toMatchObject({ status: 'warn', observedValue: 'open' });

    const isolated = circuitBreaker();
    const handle = isolated.isolate();
    health.register('isolated', breakerCheck(isolated, { whenOpen: 'warn' }));
    expect((await health.ready()).checks['isolated:state']?.[0]).toMatchObject({ status: 'warn', observedValue: 'isolated' });
    handle.dispose();
    expect((await health.ready()).checks['isolated:state']?.[0]).toMatchObject({ status: 'pass', observedValue: 'closed' });
  });
});
