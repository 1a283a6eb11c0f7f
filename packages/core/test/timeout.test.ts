import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimeoutError, isTimeoutError, timeout } from '@breakwater/core';
import { abortListenerCount, pendingTimers, useFakeTime } from 'breakwater-test-utils';

/** A function that settles only when told to, and records the signal it was given. */
function controllable<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  let signal: AbortSignal | undefined;
  const fn = (context: { signal: AbortSignal }) => {
    signal = context.signal;
    return new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
  };
  return { fn, resolve: (v: T) => resolve(v), reject: (e: unknown) => reject(e), signal: () => signal! };
}

describe('timeout()', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  it('returns the value and leaves no timer, listener or aborted signal behind', async () => {
    const caller = new AbortController();
    const policy = timeout(1_000);
    let handed: AbortSignal | undefined;
    await expect(policy.execute(({ signal }) => ((handed = signal), 'ok'), caller.signal)).resolves.toBe('ok');
    // The policy's one shared timer idles (unref'd) until its deadline passes, then ends by itself.
    expect(pendingTimers()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(pendingTimers()).toBe(0);
    expect(abortListenerCount(caller.signal)).toBe(0);
    expect(handed!.aborted).toBe(false);
  });

  it('cooperative: aborts the handed-down signal with a TimeoutError at the deadline and rethrows it', async () => {
    const policy = timeout({ duration: 500, name: 'db' });
    const call = controllable<string>();
    const onTimeout = vi.fn();
    policy.onTimeout(onTimeout);
    const running = policy.execute(call.fn);
    await vi.advanceTimersByTimeAsync(499);
    expect(call.signal().aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(call.signal().aborted).toBe(true);
    expect(isTimeoutError(call.signal().reason)).toBe(true);
    expect(onTimeout).toHaveBeenCalledWith({ policy: 'db', timeoutMs: 500 });
    // The function honours the signal by rejecting with something of its own.
    const own = new Error('query cancelled');
    call.reject(own);
    const error = await running.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeoutMs: 500, cause: own, message: 'Operation timed out after 500ms (db)' });
  });

  it('cooperative: a function that finishes despite the deadline returns its value', async () => {
    const call = controllable<string>();
    const running = timeout(100).execute(call.fn);
    await vi.advanceTimersByTimeAsync(100);
    call.resolve('late but done');
    await expect(running).resolves.toBe('late but done');
  });

  it('aggressive: rejects at the deadline even when the function ignores the signal, and handles its late settle', async () => {
    const call = controllable<string>();
    const running = timeout({ duration: 100, strategy: 'aggressive' }).execute(call.fn);
    const settled = running.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    expect(await settled).toBeInstanceOf(TimeoutError);
    call.reject(new Error('late failure'));
    await vi.advanceTimersByTimeAsync(0);
    expect(pendingTimers()).toBe(0);
  });

  it("passes the caller's abort down with the caller's reason, not a TimeoutError", async () => {
    const caller = new AbortController();
    const call = controllable<string>();
    const running = timeout({ duration: 1_000, strategy: 'aggressive' }).execute(call.fn, caller.signal);
    const reason = new Error('client went away');
    caller.abort(reason);
    await expect(running).rejects.toBe(reason);
    expect(call.signal().reason).toBe(reason);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(pendingTimers()).toBe(0);
    expect(abortListenerCount(caller.signal)).toBe(0);
  });

  it('does not run the function when the caller signal is already aborted', async () => {
    const fn = vi.fn();
    await expect(timeout(100).execute(fn, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
    expect(fn).not.toHaveBeenCalled();
  });

  it('handles a function that throws synchronously', async () => {
    await expect(
      timeout(100).execute(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    await vi.advanceTimersByTimeAsync(100);
    expect(pendingTimers()).toBe(0);
  });

  it('abortOnReturn aborts the handed-down signal after a successful call', async () => {
    let handed: AbortSignal | undefined;
    await timeout({ duration: 100, abortOnReturn: true }).execute(({ signal }) => (handed = signal));
    expect(handed!.aborted).toBe(true);
  });

  it('reports success and failure durations from the clock', async () => {
    const policy = timeout(1_000);
    const successes: number[] = [];
    const failures: { handled: boolean }[] = [];
    policy.onSuccess(({ duration }) => successes.push(duration));
    policy.onFailure((event) => failures.push(event));
    const call = controllable<string>();
    const running = policy.execute(call.fn);
    await vi.advanceTimersByTimeAsync(250);
    call.resolve('x');
    await running;
    expect(successes).toEqual([250]);
    const hung = policy.execute(controllable<string>().fn, AbortSignal.abort('gone')).catch(() => {});
    await hung;
    expect(failures).toEqual([]);
    const timedOut = policy.execute(({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))));
    const outcome = timedOut.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await outcome).toBeInstanceOf(TimeoutError);
    expect(failures).toMatchObject([{ handled: true, duration: 1_000 }]);
  });

  it('serves many concurrent calls with one timer, each aborted at its own deadline', async () => {
    const policy = timeout(100);
    const calls = Array.from({ length: 5 }, () => controllable<string>());
    const outcomes: unknown[] = [];
    for (const [i, call] of calls.entries()) {
      void policy.execute(call.fn).then(
        (v) => outcomes.push(v),
        (e: unknown) => outcomes.push(isTimeoutError(e) ? `timeout ${i}` : e),
      );
      await vi.advanceTimersByTimeAsync(10); // calls start at 0, 10, 20, 30, 40 ms
    }
    expect(pendingTimers()).toBe(1);
    calls[1]!.resolve('done 1');
    await vi.advanceTimersByTimeAsync(50); // t = 100: call 0's deadline
    expect(calls[0]!.signal().aborted).toBe(true);
    expect(calls[2]!.signal().aborted).toBe(false);
    calls[0]!.reject(new Error('aborted'));
    await vi.advanceTimersByTimeAsync(20); // t = 120: call 2's deadline (call 1 settled, never aborted)
    expect(calls[1]!.signal().aborted).toBe(false);
    expect(calls[2]!.signal().aborted).toBe(true);
    expect(calls[3]!.signal().aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(20); // t = 140: calls 3 and 4
    expect(calls[4]!.signal().aborted).toBe(true);
    for (const call of calls.slice(2)) call.reject(new Error('aborted'));
    await vi.advanceTimersByTimeAsync(100);
    expect(outcomes).toEqual(['done 1', 'timeout 0', 'timeout 2', 'timeout 3', 'timeout 4']);
    expect(pendingTimers()).toBe(0);
  });

  it.each([
    [{ duration: 0 }, 'Expected `duration` to be a number from 1 to 2147483647, got `0` (number)'],
    [{ duration: 2_147_483_648 }, 'Expected `duration` to be a number from 1 to 2147483647, got `2147483648` (number)'],
    [{ duration: Number.NaN }, 'got `NaN` (number)'],
    [{ duration: 10, strategy: 'eager' }, 'Expected `strategy` to be one of `cooperative`, `aggressive`'],
    [{ duration: 10, durration: 5 }, 'Unknown option `durration` for timeout()'],
    [{ duration: 10, clock: {} }, 'Expected `clock` to be an object with now(), setTimeout(), clearTimeout()'],
  ])('rejects invalid options %o', (options, message) => {
    expect(() => timeout(options as never)).toThrow(message);
  });
});
