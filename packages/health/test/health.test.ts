import { describe, expect, it } from 'vitest';
import { isTimeoutError } from '@breakwater/core';
import { createHealth, type CheckContext, type CheckEvent } from '@breakwater/health';
import { deferred, flush, manualClock, manualHealth, track, watchProcessProblems } from './helpers.ts';

describe('health.ready()', () => {
  it('runs every readiness check concurrently and reports each under its name', async () => {
    const { health } = manualHealth();
    const order: string[] = [];
    const a = deferred();
    const b = deferred();
    health.register('a', async () => {
      order.push('a started');
      await a.promise;
    });
    health.register('b', async () => {
      order.push('b started');
      await b.promise;
      return { status: 'warn', observedValue: 3, observedUnit: 'ms', output: 'slowish' };
    });
    const report = track(health.ready());
    await flush();
    expect(order).toEqual(['a started', 'b started']);
    b.resolve();
    a.resolve();
    const { status, checks, probe } = await report.promise;
    expect(probe).toBe('readiness');
    expect(status).toBe('warn');
    expect(checks['a']).toEqual([{ status: 'pass', time: '1970-01-01T00:00:00.000Z', critical: true }]);
    expect(checks['b']).toEqual([
      { status: 'warn', observedValue: 3, observedUnit: 'ms', output: 'slowish', time: '1970-01-01T00:00:00.000Z', critical: true },
    ]);
  });

  it('reports a hanging check as failed at its timeout, without waiting longer, and aborts its signal with a TimeoutError', async () => {
    const { health, advance, pending } = manualHealth({ timeoutMs: 500 });
    let seen: CheckContext | undefined;
    health.register('hangs', (context) => {
      seen = context;
      return new Promise(() => {});
    });
    health.register('quick', () => true, { timeoutMs: 100 });
    const report = track(health.ready());
    await flush();
    advance(499);
    await flush();
    expect(report.settled).toBe(false);
    expect(seen?.signal.aborted).toBe(false);
    advance(1);
    const { status, checks } = await report.promise;
    expect(status).toBe('fail');
    expect(checks['hangs']).toEqual([{ status: 'fail', output: 'timed out after 500ms', time: '1970-01-01T00:00:00.500Z', critical: true }]);
    expect(checks['quick']?.[0]?.status).toBe('pass');
    expect(seen?.signal.aborted).toBe(true);
    expect(isTimeoutError(seen?.signal.reason)).toBe(true);
    expect(pending).toBe(0);
  });

  it('handles a rejection that arrives after the timeout: no unhandled rejection, and the next probe runs the check again', async () => {
    const { health, advance } = manualHealth({ timeoutMs: 100, cacheMs: 0 });
    const watch = watchProcessProblems();
    const late = deferred();
    let calls = 0;
    health.register('db', ({ signal }) => {
      calls++;
      if (calls > 1) return true;
      // Rejects with its own abort reason once the timeout aborts it, like fetch(url, { signal }).
      signal.addEventListener('abort', () => setImmediate(() => late.reject(signal.reason)));
      return late.promise;
    });
    const first = track(health.ready());
    advance(100);
    expect((await first.promise).checks['db']?.[0]?.output).toBe('timed out after 100ms');
    await new Promise((resolve) => setImmediate(resolve));
    await flush();
    expect((await health.ready()).status).toBe('pass');
    expect(calls).toBe(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(watch.stop()).toEqual({ unhandled: [], warnings: [] });
  });

  it('uses the per-check timeout over the default', async () => {
    const { health, advance } = manualHealth({ timeoutMs: 500 });
    health.register('slow', () => new Promise(() => {}), { timeoutMs: 50 });
    const report = track(health.ready());
    advance(50);
    expect((await report.promise).checks['slow']?.[0]?.output).toBe('timed out after 50ms');
  });

  it('starts no second call while a timed-out call still hangs, and runs again once it settled', async () => {
    const { health, advance } = manualHealth({ timeoutMs: 100, cacheMs: 0 });
    const gates = [deferred<boolean>(), deferred<boolean>()];
    let calls = 0;
    health.register('db', () => gates[calls++]!.promise);
    const first = track(health.ready());
    advance(100);
    expect((await first.promise).status).toBe('fail');
    const second = await health.ready();
    expect(calls).toBe(1);
    expect(second.checks['db']?.[0]?.output).toBe('the previous call is still running after its 100ms timeout');
    gates[0]!.resolve(true);
    await flush();
    const third = track(health.ready());
    await flush();
    expect(calls).toBe(2);
    gates[1]!.resolve(true);
    expect((await third.promise).status).toBe('pass');
  });

  it('caches readings for cacheMs and shares a running call between concurrent probes', async () => {
    const { health, advance } = manualHealth({ cacheMs: 1_000 });
    let calls = 0;
    const gate = deferred();
    health.register('db', async () => {
      calls++;
      await gate.promise;
    });
    const one = health.ready();
    const two = health.startup();
    gate.resolve();
    await Promise.all([one, two]);
    expect(calls).toBe(1);
    advance(999);
    await health.ready();
    expect(calls).toBe(1);
    advance(1);
    await health.ready();
    expect(calls).toBe(2);
  });

  it('treats throws, rejections and unusable values as failures with their text as output', async () => {
    const { health } = manualHealth();
    health.register('throws', () => {
      throw new Error('connect ECONNREFUSED 10.0.0.7:5432');
    });
    health.register('rejects', () => Promise.reject(new TypeError('bad')));
    health.register('false', () => false);
    health.register('bogus', () => ({ status: 'ok' as never }));
    health.register('word', () => 'warn');
    const { status, checks } = await health.ready();
    expect(status).toBe('fail');
    expect(checks['throws']?.[0]).toMatchObject({ status: 'fail', output: 'connect ECONNREFUSED 10.0.0.7:5432' });
    expect(checks['rejects']?.[0]).toMatchObject({ status: 'fail', output: 'bad' });
    expect(checks['false']?.[0]).toMatchObject({ status: 'fail' });
    expect(checks['bogus']?.[0]).toMatchObject({ status: 'fail', output: 'the check returned status `"ok"` (string), not pass, warn or fail' });
    expect(checks['word']?.[0]).toMatchObject({ status: 'warn' });
  });

  it('turns a failing non-critical check into warn overall', async () => {
    const { health } = manualHealth();
    health.register('ok', () => true);
    health.register('optional', () => false, { critical: false });
    const report = await health.ready();
    expect(report.status).toBe('warn');
    expect(report.checks['optional']?.[0]).toMatchObject({ status: 'fail', critical: false });
  });

  it('runs a check only for the probes it was registered for', async () => {
    const { health } = manualHealth();
    const runs: string[] = [];
    health.register('migrations', () => void runs.push('migrations'), { probes: ['startup'] });
    health.register('db', () => void runs.push('db'), { probes: ['readiness'] });
    expect(Object.keys((await health.startup()).checks)).toEqual(['migrations']);
    expect(Object.keys((await health.ready()).checks)).toEqual(['db']);
    expect(runs).toEqual(['migrations', 'db']);
  });

  it('keys a definition with a measurement "name:measurement" and carries its componentType', async () => {
    const { health } = manualHealth();
    health.register('cache', { measurement: 'responseTime', componentType: 'datastore', run: () => ({ observedValue: 2, observedUnit: 'ms' }) });
    const { checks } = await health.ready();
    expect(checks['cache:responseTime']?.[0]).toMatchObject({ status: 'pass', componentType: 'datastore', observedValue: 2 });
  });

  it('fails readiness and startup before markStarted() and after markShuttingDown(), without running checks', async () => {
    const time = manualClock();
    const health = createHealth({ clock: time.clock, eventLoopLag: false });
    let calls = 0;
    health.register('db', () => void calls++);
    expect(health.state).toBe('starting');
    expect(await health.ready()).toEqual({
      probe: 'readiness',
      status: 'fail',
      checks: { lifecycle: [{ status: 'fail', componentType: 'system', time: '1970-01-01T00:00:00.000Z', output: 'starting: markStarted() has not been called', critical: true }] },
    });
    expect((await health.startup()).status).toBe('fail');
    health.markStarted();
    expect((await health.ready()).status).toBe('pass');
    expect(calls).toBe(1);
    health.markShuttingDown();
    health.markStarted();
    expect(health.state).toBe('shutting-down');
    const ready = await health.ready();
    expect(ready.status).toBe('fail');
    expect(ready.checks['lifecycle']?.[0]?.output).toBe('shutting down');
    expect((await health.live()).status).toBe('pass');
    expect(calls).toBe(1);
  });

  it('removes a check when its disposable is disposed, and refuses a duplicate name', async () => {
    const { health } = manualHealth();
    const handle = health.register('db', () => true);
    expect(() => health.register('db', () => true)).toThrow('A check named "db" is already registered');
    handle.dispose();
    expect(health.checks).toEqual([]);
    expect((await health.ready()).checks).toEqual({});
    health.register('db', () => false);
    expect((await health.ready()).status).toBe('fail');
  });

  it('emits onCheck for each run with the registered name, status and duration; cached readings emit nothing', async () => {
    const { health, advance } = manualHealth({ cacheMs: 1_000, timeoutMs: 200 });
    const events: CheckEvent[] = [];
    health.onCheck((event) => events.push(event));
    const gate = deferred();
    health.register('db', () => gate.promise);
    health.register('hangs', () => new Promise(() => {}));
    const report = health.ready();
    advance(30);
    gate.resolve();
    await flush();
    advance(170);
    await report;
    await health.ready();
    expect(events).toEqual([
      { check: 'db', status: 'pass', durationMs: 30 },
      { check: 'hangs', status: 'fail', durationMs: 200 },
    ]);
  });

  it('a listener that throws changes no report', async () => {
    const { health } = manualHealth();
    const thrown: unknown[] = [];
    const onUncaught = (error: unknown): void => void thrown.push(error);
    process.prependListener('uncaughtException', onUncaught);
    try {
      health.onCheck(() => {
        throw new Error('listener bug');
      });
      health.register('db', () => true);
      expect((await health.ready()).status).toBe('pass');
      await new Promise((resolve) => process.nextTick(resolve));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(thrown).toHaveLength(1);
  });
});
