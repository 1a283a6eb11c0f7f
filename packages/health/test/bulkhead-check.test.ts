import { describe, expect, it } from 'vitest';
import { bulkhead } from '@breakwater/bulkhead';
import { bulkheadCheck } from '@breakwater/health';
import { deferred, manualHealth, settle } from './helpers.ts';

describe('bulkheadCheck()', () => {
  it('reports the saturation of a real bulkhead() and passes, warns and fails at warnAt and failAt', async () => {
    const policy = bulkhead({ capacity: 2, queue: 2 });
    const { health } = manualHealth({ cacheMs: 0 });
    health.register('db-pool', bulkheadCheck(policy, { warnAt: 0.5, failAt: 1 }));
    const gate = deferred();
    const calls: Promise<unknown>[] = [];
    const reading = async () => (await health.ready()).checks['db-pool:utilization']?.[0];

    expect(await reading()).toEqual({ status: 'pass', componentType: 'component', observedValue: 0, observedUnit: 'percent', time: '1970-01-01T00:00:00.000Z', critical: true });
    calls.push(policy.execute(() => gate.promise));
    expect(await reading()).toMatchObject({ status: 'pass', observedValue: 25 });
    calls.push(policy.execute(() => gate.promise));
    expect(await reading()).toMatchObject({ status: 'warn', observedValue: 50, output: '2/2 running, 0/2 queued' });
    calls.push(policy.execute(() => gate.promise), policy.execute(() => gate.promise));
    expect(policy.queued).toBe(2);
    const full = await health.ready();
    expect(full.status).toBe('fail');
    expect(full.checks['db-pool:utilization']?.[0]).toMatchObject({ status: 'fail', observedValue: 100, output: '2/2 running, 2/2 queued' });

    gate.resolve();
    await Promise.all(calls);
    await settle();
    expect(await reading()).toMatchObject({ status: 'pass', observedValue: 0 });
  });

  it('with the defaults warns from 80% and fails only when the next caller would be rejected', async () => {
    const policy = bulkhead({ capacity: 5 });
    const { health } = manualHealth({ cacheMs: 0 });
    health.register('pool', bulkheadCheck(policy));
    const gate = deferred();
    const calls = [1, 2, 3, 4].map(() => policy.execute(() => gate.promise));
    expect((await health.ready()).checks['pool:utilization']?.[0]).toMatchObject({ status: 'warn', observedValue: 80 });
    calls.push(policy.execute(() => gate.promise));
    expect((await health.ready()).status).toBe('fail');
    gate.resolve();
    await Promise.all(calls);
  });
});
