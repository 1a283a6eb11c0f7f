import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { circuitBreaker, timeWindow } from '@breakwater/circuit-breaker';
import { abortListenerCount, pendingTimers, useFakeTime, watchProcessProblems } from 'breakwater-test-utils';
import { failTimes, settle, succeed } from './helpers.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('no leaks', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  it('leaves no timer and no abort listener on a long-lived caller signal, in any state', async () => {
    const problems = watchProcessProblems();
    const caller = new AbortController();
    const breaker = circuitBreaker({ strategy: timeWindow({ duration: 1_000, minimumCalls: 5 }), breakDuration: 500, slowCallDuration: 100 });
    breaker.onStateChange(() => {});
    for (let i = 0; i < 200; i++) {
      await settle(breaker.execute(i % 3 === 0 ? () => Promise.reject(new Error('x')) : succeed, caller.signal));
      if (i % 50 === 0) await vi.advanceTimersByTimeAsync(600);
    }
    breaker.isolate().dispose();
    await failTimes(breaker, 10);
    await settle(breaker.execute(succeed, caller.signal));
    expect(pendingTimers()).toBe(0);
    expect(abortListenerCount(caller.signal)).toBe(0);
    expect(problems.stop()).toEqual({ unhandled: [], warnings: [] });
  });
});

describe('process exit', () => {
  it('exits on its own with a breaker left open (no timer schedules the half-open transition)', async () => {
    const script = `
      import { circuitBreaker, consecutive } from '@breakwater/circuit-breaker';
      const breaker = circuitBreaker({ strategy: consecutive({ threshold: 1 }), breakDuration: 600_000 });
      await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => {});
      const rejected = await breaker.execute(() => 'never').catch((e) => e.code);
      console.log(JSON.stringify({ state: breaker.state, rejected, resources: process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap') }));
    `;
    const started = Date.now();
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--conditions=@breakwater/source', '--input-type=module', '-e', script], { cwd: packageDir, timeout: 10_000 }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
      );
    });
    expect(JSON.parse(stdout)).toEqual({ state: 'open', rejected: 'ERR_BREAKWATER_CIRCUIT_OPEN', resources: [] });
    expect(Date.now() - started).toBeLessThan(8_000);
  });
});
