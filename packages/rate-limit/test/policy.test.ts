import { describe, expect, it, vi } from 'vitest';
import { BreakwaterError, SignalContext, timeout, wrap } from '@breakwater/core';
import {
  isRateLimitedError,
  isRateLimitUnavailableError,
  rateLimit,
  RateLimitedError,
  RateLimitUnavailableError,
  type RateLimitStore,
  type StoreReply,
} from '@breakwater/rate-limit';
import { abortListenerCount, deferred, watchProcessProblems } from 'breakwater-test-utils';

function manual() {
  let now = 0;
  return { clock: { now: () => now, epochNow: () => now, setTimeout: () => 0, clearTimeout: () => {} }, advance: (ms: number) => void (now += ms) };
}

describe('execute()', () => {
  it('runs fn with a SignalContext while admitted, then throws RateLimitedError', async () => {
    const { clock } = manual();
    const limiter = rateLimit({ name: 'api', limits: { quota: 2, windowMs: 1_000, name: 'burst' }, clock });
    const seen: unknown[] = [];
    expect(await limiter.execute((ctx) => (seen.push(ctx), 'a'))).toBe('a');
    expect(await limiter.execute(() => 'b')).toBe('b');
    expect(seen[0]).toBeInstanceOf(SignalContext);
    const error = await limiter.execute(() => 'c').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toBeInstanceOf(BreakwaterError);
    expect(isRateLimitedError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_BREAKWATER_RATE_LIMITED', limiter: 'api', policy: 'burst', limit: 2, remaining: 0, retryAfterMs: 500, resetMs: 1_000 });
    expect((error as Error).message).toContain('retry after 500 ms');
  });

  it('decides for the `key` and `cost` options, functions called on each execute()', async () => {
    const { clock } = manual();
    let user = 'alice';
    const limiter = rateLimit({ limits: { quota: 3, windowMs: 1_000 }, key: () => user, cost: () => (user === 'alice' ? 2 : 1), clock });
    await limiter.execute(() => 1);
    await expect(limiter.execute(() => 1)).rejects.toThrow(RateLimitedError);
    user = 'bob';
    await limiter.execute(() => 1);
    expect((await limiter.check('bob', 0)).remaining).toBe(2);
    expect((await limiter.check('alice', 0)).remaining).toBe(1);
  });

  it('composes in wrap() and passes the signal down', async () => {
    const limiter = rateLimit({ limits: { quota: 1, windowMs: 60_000 } });
    const policy = wrap(limiter, timeout({ duration: 10_000 }));
    const signals: AbortSignal[] = [];
    expect(await policy.execute(({ signal }) => (signals.push(signal), 'ok'))).toBe('ok');
    expect(signals[0]).toBeInstanceOf(AbortSignal);
    await expect(policy.execute(() => 'no')).rejects.toSatisfy(isRateLimitedError);
  });

  it('emits onSuccess and onFailure for the calls it runs', async () => {
    const { clock, advance } = manual();
    const limiter = rateLimit({ limits: { quota: 5, windowMs: 1_000 }, clock });
    const success = vi.fn();
    const failure = vi.fn();
    limiter.onSuccess(success);
    limiter.onFailure(failure);
    await limiter.execute(() => {
      advance(7);
      return 1;
    });
    const boom = new Error('boom');
    await expect(limiter.execute(() => Promise.reject(boom))).rejects.toBe(boom);
    expect(success).toHaveBeenCalledWith({ duration: 7 });
    expect(failure).toHaveBeenCalledWith({ duration: 0, handled: false, reason: { error: boom } });
  });
});

describe('check()', () => {
  it('emits onDecision with bounded labels, the key apart', async () => {
    const limiter = rateLimit({ name: 'login', limits: { quota: 1, windowMs: 1_000, name: 'per-second' } });
    const events: unknown[] = [];
    limiter.onDecision((e) => events.push(e));
    await limiter.check('10.0.0.1', 1);
    await limiter.check('10.0.0.1', 1);
    expect(events).toEqual([
      { limiter: 'login', allowed: true, cost: 1, policy: 'per-second', source: 'store', key: '10.0.0.1' },
      { limiter: 'login', allowed: false, cost: 1, policy: 'per-second', source: 'store', key: '10.0.0.1' },
    ]);
  });

  it('rejects a bad key or cost with a clear error', async () => {
    const limiter = rateLimit({ limits: [{ quota: 10, windowMs: 1_000 }, { quota: 5, windowMs: 60_000 }] });
    await expect(limiter.check(42 as unknown as string)).rejects.toThrow(TypeError);
    await expect(limiter.check('k', 6)).rejects.toThrow('Expected `cost` to be a number from 0 to 5 (the smallest quota), got `6` (number)');
    await expect(limiter.check('k', -1)).rejects.toThrow(RangeError);
    await expect(limiter.check('k', Number.NaN)).rejects.toThrow(RangeError);
    await expect(limiter.check('k', '1' as unknown as number)).rejects.toThrow(TypeError);
  });

  it('rejects with the abort reason, and leaves no listener on the signal', async () => {
    const pending = deferred<StoreReply>();
    const store: RateLimitStore = { kind: 'slow', decide: () => pending.promise };
    const limiter = rateLimit({ limits: { quota: 1, windowMs: 1_000 }, store });
    const aborted = AbortSignal.abort(new Error('gone'));
    await expect(limiter.check('k', 1, aborted)).rejects.toThrow('gone');

    const caller = new AbortController();
    const checking = limiter.check('k', 1, caller.signal);
    expect(abortListenerCount(caller.signal)).toBe(1);
    caller.abort(new Error('client left'));
    await expect(checking).rejects.toThrow('client left');
    expect(abortListenerCount(caller.signal)).toBe(0);
    pending.resolve([1, 0, 1_000, 0]);

    const done = new AbortController();
    const next = deferred<StoreReply>();
    const limiter2 = rateLimit({ limits: { quota: 1, windowMs: 1_000 }, store: { kind: 'slow', decide: () => next.promise } });
    const answer = limiter2.check('k', 1, done.signal);
    next.resolve([1, 0, 1_000, 0]);
    expect((await answer).allowed).toBe(true);
    expect(abortListenerCount(done.signal)).toBe(0);
  });
});

describe('outage modes (a store that throws)', () => {
  function failing() {
    let down = true;
    const calls = { count: 0 };
    const store: RateLimitStore = {
      kind: 'flaky',
      decide: () => {
        calls.count++;
        if (down) return Promise.reject(new Error('ECONNREFUSED'));
        return Promise.resolve([1, 4, 200, 0]);
      },
    };
    return { store, calls, up: () => void (down = false) };
  }

  it('memory-fallback: decides per process with quota / instances, then recovers after the cooldown', async () => {
    const { clock, advance } = manual();
    const { store, calls, up } = failing();
    const limiter = rateLimit({ limits: { quota: 10, windowMs: 60_000 }, store, instances: 3, recoverAfterMs: 500, clock });
    const events: string[] = [];
    limiter.onStoreError((e) => events.push(`error:${e.mode}:${(e.error as Error).message}`));
    limiter.onDegraded((e) => events.push(`degraded:${e.mode}`));
    limiter.onRecovered((e) => events.push(`recovered:${e.degradedMs}`));
    const first = await limiter.check('k');
    expect(first).toMatchObject({ allowed: true, source: 'memory-fallback', limit: 4, remaining: 3 });
    expect(limiter.degraded).toBe(true);
    const rest = await Promise.all(Array.from({ length: 5 }, () => limiter.check('k')));
    expect(rest.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
    expect(calls.count).toBe(1);
    advance(500);
    up();
    expect(await limiter.check('k')).toMatchObject({ source: 'store', remaining: 4 });
    expect(limiter.degraded).toBe(false);
    expect(events).toEqual(['error:memory-fallback:ECONNREFUSED', 'degraded:memory-fallback', 'recovered:500']);
  });

  it('fail-open admits everything, counting nothing', async () => {
    const { clock } = manual();
    const limiter = rateLimit({ limits: { quota: 1, windowMs: 60_000 }, store: failing().store, outage: 'fail-open', clock });
    const decisions = await Promise.all(Array.from({ length: 5 }, () => limiter.check('k')));
    expect(decisions.every((d) => d.allowed && d.source === 'fail-open' && d.remaining === 1)).toBe(true);
  });

  it('fail-closed rejects with RateLimitUnavailableError carrying the cause and the wait', async () => {
    const { clock, advance } = manual();
    const limiter = rateLimit({ limits: { quota: 1, windowMs: 60_000 }, store: failing().store, outage: 'fail-closed', recoverAfterMs: 2_000, clock });
    const error = await limiter.check('k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitUnavailableError);
    expect(isRateLimitUnavailableError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_BREAKWATER_RATE_LIMIT_UNAVAILABLE', retryAfterMs: 2_000, cause: new Error('ECONNREFUSED') });
    advance(1_500);
    expect(await limiter.check('k').catch((e: unknown) => e)).toMatchObject({ retryAfterMs: 500 });
    await expect(limiter.execute(() => 1)).rejects.toSatisfy(isRateLimitUnavailableError);
  });

  it('a store that throws synchronously is an outage too, and nothing goes unhandled', async () => {
    const problems = watchProcessProblems();
    const limiter = rateLimit({
      limits: { quota: 1, windowMs: 60_000 },
      store: {
        kind: 'broken',
        decide: () => {
          throw new Error('bug');
        },
      },
    });
    expect(await limiter.check('k')).toMatchObject({ allowed: true, source: 'memory-fallback' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(problems.stop()).toEqual({ unhandled: [], warnings: [] });
  });
});
