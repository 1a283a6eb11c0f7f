import { afterEach, describe, expect, it } from 'vitest';
import { createHealth, EVENT_LOOP_KEY } from '@breakwater/health';
import { manualClock } from './helpers.ts';
import { pendingTimers, useFakeTime } from 'breakwater-test-utils';
import { vi } from 'vitest';

afterEach(() => {
  vi.useRealTimers();
});

describe('health.live()', () => {
  it('passes with the worst recent event-loop lag, warns and fails at the thresholds, and recovers', async () => {
    const time = manualClock();
    const health = createHealth({ clock: time.clock, eventLoopLag: { warnMs: 100, failMs: 400, intervalMs: 50 } });
    let calls = 0;
    health.register('db', () => void calls++);
    expect((await health.live()).checks[EVENT_LOOP_KEY]?.[0]).toMatchObject({ status: 'pass', observedValue: 0, observedUnit: 'ms', componentType: 'system' });

    // A timer due at 50 fires 150 ms late: the loop was blocked.
    time.advance(200);
    let report = await health.live();
    expect(report.status).toBe('warn');
    expect(report.checks[EVENT_LOOP_KEY]?.[0]).toMatchObject({ status: 'warn', observedValue: 150, output: 'event loop lag 150ms is at or above 100ms' });

    time.advance(500);
    report = await health.live();
    expect(report.status).toBe('fail');
    expect(report.checks[EVENT_LOOP_KEY]?.[0]?.observedValue).toBe(450);

    // Ten on-time samples push the stalls out of the window.
    for (let i = 0; i < 10; i++) time.advance(50);
    expect((await health.live()).status).toBe('pass');
    // Liveness never runs registered checks.
    expect(calls).toBe(0);
    health.close();
    expect(time.pending).toBe(0);
  });

  it('has no check at all with eventLoopLag: false, and runs no timer', async () => {
    const time = manualClock();
    const health = createHealth({ clock: time.clock, eventLoopLag: false });
    expect(await health.live()).toEqual({ probe: 'liveness', status: 'pass', checks: {} });
    expect(time.pending).toBe(0);
  });

  it('samples on the system clock under fake timers, and close() leaves no timer behind', async () => {
    useFakeTime();
    const health = createHealth({ eventLoopLag: { intervalMs: 100 } });
    expect(pendingTimers()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await health.live()).status).toBe('pass');
    health.close();
    expect(pendingTimers()).toBe(0);
  });
});
