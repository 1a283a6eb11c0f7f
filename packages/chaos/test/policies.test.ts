import { afterEach, describe, expect, it, vi } from 'vitest';
import { wrap } from '@breakwater/core';
import { retry } from '@breakwater/retry';
import { chaosBehavior, chaosFault, chaosLatency, chaosOutcome, isChaosInjectedError, seededRandom, type InjectedEvent } from '@breakwater/chaos';
import { abortListenerCount, pendingTimers, useFakeTime } from 'breakwater-test-utils';

afterEach(() => {
  vi.useRealTimers();
});

describe('chaosFault()', () => {
  it('throws a fresh ChaosInjectedError naming the policy, without running the call', async () => {
    const fn = vi.fn(() => 'real');
    const policy = chaosFault({ injectionRate: 1, name: 'inventory-faults' });
    const first = await policy.execute(fn).catch((error: unknown) => error);
    const second = await policy.execute(fn).catch((error: unknown) => error);
    expect(isChaosInjectedError(first)).toBe(true);
    expect(first).toMatchObject({ code: 'ERR_BREAKWATER_CHAOS_INJECTED', policy: 'inventory-faults' });
    expect(second).not.toBe(first);
    expect(fn).not.toHaveBeenCalled();
  });

  it('throws the given error, or what the given function returns for the call', async () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    await expect(chaosFault({ injectionRate: 1, fault: reset }).execute(() => 'real')).rejects.toBe(reset);
    const controller = new AbortController();
    const policy = chaosFault({ injectionRate: 1, fault: ({ signal }: { signal: AbortSignal }) => new Error(signal === controller.signal ? 'own signal' : 'other') });
    await expect(policy.execute(() => 'real', controller.signal)).rejects.toThrow('own signal');
  });

  it('lets retry recover from injected faults, the same way on every seeded run', async () => {
    const run = async () => {
      const faults = chaosFault({ injectionRate: 0.5, random: seededRandom(3), fault: () => Object.assign(new Error('injected'), { code: 'ECONNRESET' }) });
      const policy = wrap(retry({ maxRetries: 5, baseDelay: 0 }), faults);
      let injected = 0;
      faults.onInjected(() => injected++);
      const attempts: number[] = [];
      for (let i = 0; i < 20; i++) {
        let calls = 0;
        await policy.execute(() => ++calls);
        attempts.push(calls);
      }
      return { attempts, injected };
    };
    const first = await run();
    expect(await run()).toEqual(first);
    // Every call reached the real function exactly once, after the faults retry absorbed.
    expect(first.attempts).toEqual(Array(20).fill(1));
    expect(first.injected).toBeGreaterThan(5);
  });
});

describe('chaosOutcome()', () => {
  it('answers with the substituted result without running the call', async () => {
    const fn = vi.fn(() => new Response('real'));
    const policy = chaosOutcome({ injectionRate: 1, outcome: () => new Response(null, { status: 503 }) });
    const response = await policy.execute(fn);
    expect(response.status).toBe(503);
    expect(fn).not.toHaveBeenCalled();
  });
});

describe('chaosLatency()', () => {
  it('delays the call by the latency of (fake) time, then runs it', async () => {
    useFakeTime();
    const policy = chaosLatency({ injectionRate: 1, latency: 1_500 });
    let settled = false;
    const call = policy.execute(() => 'real').then((value) => ((settled = true), value));
    await vi.advanceTimersByTimeAsync(1_499);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(call).resolves.toBe('real');
    expect(pendingTimers()).toBe(0);
  });

  it('gives way at once to the caller’s abort, leaving no timer and no listener', async () => {
    useFakeTime();
    const fn = vi.fn(() => 'real');
    const controller = new AbortController();
    const policy = chaosLatency({ injectionRate: 1, latency: ({ signal }) => (signal.aborted ? 0 : 60_000) });
    const call = policy.execute(fn, controller.signal);
    await vi.advanceTimersByTimeAsync(10);
    const reason = new Error('client went away');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(fn).not.toHaveBeenCalled();
    expect(pendingTimers()).toBe(0);
    expect(abortListenerCount(controller.signal)).toBe(0);
  });
});

describe('chaosBehavior()', () => {
  it('runs the behaviour before the call; a throwing behaviour fails the call unrun', async () => {
    const order: string[] = [];
    const policy = chaosBehavior({ injectionRate: 1, behavior: async () => void order.push('behavior') });
    await policy.execute(() => void order.push('call'));
    expect(order).toEqual(['behavior', 'call']);
    const fn = vi.fn();
    const broken = chaosBehavior({ injectionRate: 1, behavior: () => {
      throw new Error('disk full');
    } });
    await expect(broken.execute(fn)).rejects.toThrow('disk full');
    expect(fn).not.toHaveBeenCalled();
  });
});

describe('events', () => {
  it('fire onInjected with the policy name and kind, and onSuccess/onFailure with durations', async () => {
    const injected: InjectedEvent[] = [];
    const failures: unknown[] = [];
    const policy = chaosFault({ injectionRate: 1, name: 'f' });
    policy.onInjected((event) => injected.push(event));
    policy.onFailure((event) => failures.push(event));
    await policy.execute(() => 'real').catch(() => {});
    expect(injected).toEqual([{ policy: 'f', kind: 'fault' }]);
    expect(failures).toMatchObject([{ handled: false, reason: { error: { code: 'ERR_BREAKWATER_CHAOS_INJECTED' } } }]);
    const latency = chaosLatency({ injectionRate: 1, latency: 0, name: 'l' });
    const successes: unknown[] = [];
    latency.onInjected((event) => injected.push(event));
    latency.onSuccess((event) => successes.push(event));
    await latency.execute(() => 'real');
    expect(injected.at(-1)).toEqual({ policy: 'l', kind: 'latency' });
    expect(successes).toMatchObject([{ duration: expect.any(Number) }]);
  });

  it('a throwing listener changes nothing about the call', async () => {
    const policy = chaosOutcome({ injectionRate: 1, outcome: () => 'injected' });
    policy.onInjected(() => {
      throw new Error('listener bug');
    });
    const ticks: (() => void)[] = [];
    vi.spyOn(process, 'nextTick').mockImplementation(((fn: () => void) => void ticks.push(fn)) as typeof process.nextTick);
    await expect(policy.execute(() => 'real')).resolves.toBe('injected');
    vi.mocked(process.nextTick).mockRestore();
    expect(() => ticks[0]!()).toThrow('listener bug');
  });
});
