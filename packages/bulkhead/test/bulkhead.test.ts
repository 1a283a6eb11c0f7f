import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isBulkheadRejectedError, neverAbortedSignal } from '@breakwater/core';
import { BulkheadFullError, bulkhead } from '@breakwater/bulkhead';
import { abortListenerCount, pendingTimers, useFakeTime } from 'breakwater-test-utils';
import { flush, gate, state, track } from './helpers.ts';

describe('bulkhead() with a fixed capacity', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  it('admits exactly capacity + queue of 1,000 concurrent calls and rejects the rest synchronously', async () => {
    const policy = bulkhead({ capacity: 10, queue: 15, name: 'db' });
    let running = 0;
    let maxRunning = 0;
    let ran = 0;
    const work = async (): Promise<number> => {
      running++;
      ran++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, 10));
      running--;
      return ran;
    };
    const rejections: unknown[] = [];
    policy.onRejected((event) => rejections.push(event));

    const calls = Array.from({ length: 1_000 }, () => track(policy.execute(work)));
    // One microtask: every rejection is already settled, nothing had to wait for a slot to decide it.
    await Promise.resolve();
    expect(calls.filter((c) => c.state === 'rejected')).toHaveLength(975);
    expect(calls.slice(25).every((c) => c.state === 'rejected')).toBe(true);
    expect(calls.slice(0, 25).every((c) => c.state === 'pending')).toBe(true);
    expect(rejections).toHaveLength(975);
    expect(rejections[0]).toEqual({ policy: 'db', executing: 10, queued: 15 });
    expect(state(policy)).toEqual({ executing: 10, queued: 15, capacity: 10, queueCapacity: 15, executionSlots: 0, queueSlots: 0 });

    const error = calls[999]!.error as BulkheadFullError;
    expect(error).toBeInstanceOf(BulkheadFullError);
    expect(isBulkheadRejectedError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_BREAKWATER_BULKHEAD_FULL', policy: 'db', capacity: 10, queue: 15, executing: 10, queued: 15 });

    await vi.advanceTimersByTimeAsync(10);
    expect(state(policy)).toMatchObject({ executing: 10, queued: 5 });
    await vi.advanceTimersByTimeAsync(10);
    expect(state(policy)).toMatchObject({ executing: 5, queued: 0 });
    await vi.advanceTimersByTimeAsync(10);
    expect(calls.slice(0, 25).every((c) => c.state === 'resolved')).toBe(true);
    expect(ran).toBe(25);
    expect(maxRunning).toBe(10);
    expect(state(policy)).toEqual({ executing: 0, queued: 0, capacity: 10, queueCapacity: 15, executionSlots: 10, queueSlots: 15 });
    expect(pendingTimers()).toBe(0);
  });

  it('runs queued callers in FIFO order', async () => {
    const policy = bulkhead({ capacity: 1, queue: 3 });
    const order: string[] = [];
    const gates = ['a', 'b', 'c', 'd'].map((id) => ({ id, gate: gate() }));
    const results = gates.map(({ id, gate: g }) =>
      policy.execute((context) => {
        order.push(id);
        return g.fn(context);
      }),
    );
    expect(order).toEqual(['a']);
    for (const [index, { gate: g }] of gates.entries()) {
      g.resolve(`done ${index}`);
      await flush();
      expect(order).toHaveLength(Math.min(index + 2, 4));
    }
    expect(order).toEqual(['a', 'b', 'c', 'd']);
    await expect(Promise.all(results)).resolves.toEqual(['done 0', 'done 1', 'done 2', 'done 3']);
  });

  it('removes a queued caller whose signal aborts at once, with its reason, and moves the next one up', async () => {
    const policy = bulkhead({ capacity: 1, queue: 2 });
    const running = gate();
    const first = policy.execute(running.fn);
    const leaving = new AbortController();
    const leaver = vi.fn();
    const waiting = track(policy.execute(leaver, leaving.signal));
    const next = gate();
    const nextCall = policy.execute(next.fn);
    expect(abortListenerCount(leaving.signal)).toBe(1);
    expect(state(policy)).toMatchObject({ executing: 1, queued: 2, queueSlots: 0 });

    const reason = new Error('client went away');
    leaving.abort(reason);
    // Out of the queue synchronously; rejected within microtasks, with no slot freed and no time passed.
    expect(state(policy)).toMatchObject({ executing: 1, queued: 1 });
    expect(abortListenerCount(leaving.signal)).toBe(0);
    await flush();
    expect(waiting.state).toBe('rejected');
    expect(waiting.error).toBe(reason);
    expect(abortListenerCount(leaving.signal)).toBe(0);
    expect(state(policy)).toMatchObject({ executing: 1, queued: 1, queueSlots: 1, executionSlots: 0 });

    running.resolve('first');
    await flush();
    expect(next.started()).toBe(true);
    expect(leaver).not.toHaveBeenCalled();
    expect(state(policy)).toMatchObject({ executing: 1, queued: 0 });
    next.resolve('next');
    await expect(Promise.all([first, nextCall])).resolves.toEqual(['first', 'next']);
    expect(state(policy)).toMatchObject({ executing: 0, queued: 0 });
  });

  it('releases the slot of a caller that aborts after its slot was granted but before it ran', async () => {
    const policy = bulkhead({ capacity: 1, queue: 2 });
    const running = gate();
    void policy.execute(running.fn);
    const leaving = new AbortController();
    const leaver = vi.fn();
    const waiting = track(policy.execute(leaver, leaving.signal));
    const next = gate();
    void policy.execute(next.fn);

    running.resolve('done');
    // Runs after the grant (in the running call's settle) and before the granted caller resumes.
    const reason = new Error('late abort');
    queueMicrotask(() => leaving.abort(reason));
    await flush();
    expect(waiting.state).toBe('rejected');
    expect(waiting.error).toBe(reason);
    expect(leaver).not.toHaveBeenCalled();
    expect(next.started()).toBe(true);
    expect(state(policy)).toMatchObject({ executing: 1, queued: 0 });
    expect(abortListenerCount(leaving.signal)).toBe(0);
    next.resolve('x');
  });

  it('rejects a caller whose signal is already aborted without running it, even when full', async () => {
    const policy = bulkhead({ capacity: 1 });
    const onRejected = vi.fn();
    policy.onRejected(onRejected);
    const fn = vi.fn();
    const reason = new Error('already gone');
    await expect(policy.execute(fn, AbortSignal.abort(reason))).rejects.toBe(reason);
    const running = gate();
    const first = policy.execute(running.fn);
    await expect(policy.execute(fn, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(fn).not.toHaveBeenCalled();
    expect(onRejected).not.toHaveBeenCalled();
    expect(state(policy)).toMatchObject({ executing: 1, queued: 0 });
    running.resolve('ok');
    await first;
  });

  it('releases the slot when the function throws synchronously, and hands it to the next caller', async () => {
    const policy = bulkhead({ capacity: 1, queue: 2 });
    const blocker = gate();
    const first = policy.execute(blocker.fn);
    const boom = new Error('sync');
    const throwing = policy.execute(() => {
      throw boom;
    });
    const after = gate();
    const third = policy.execute(after.fn);
    expect(policy.queued).toBe(2);
    blocker.resolve('a');
    await expect(throwing).rejects.toBe(boom);
    await flush();
    expect(after.started()).toBe(true);
    expect(state(policy)).toMatchObject({ executing: 1, queued: 0 });
    after.resolve('c');
    await expect(Promise.all([first, third])).resolves.toEqual(['a', 'c']);
    await expect(
      policy.execute(() => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(state(policy)).toMatchObject({ executing: 0, queued: 0, executionSlots: 1 });
  });

  it('releases the slot when the function rejects', async () => {
    const policy = bulkhead({ capacity: 1 });
    const failing = gate();
    const call = policy.execute(failing.fn);
    expect(policy.executionSlots).toBe(0);
    failing.reject(new Error('no'));
    await expect(call).rejects.toThrow('no');
    expect(state(policy)).toMatchObject({ executing: 0, executionSlots: 1 });
    await expect(policy.execute(() => 'again')).resolves.toBe('again');
  });

  it('keeps every getter right at every step', async () => {
    const policy = bulkhead({ capacity: 2, queue: 2 });
    const empty = { executing: 0, queued: 0, capacity: 2, queueCapacity: 2, executionSlots: 2, queueSlots: 2 };
    expect(state(policy)).toEqual(empty);
    const [a, b, c, d] = [gate(), gate(), gate(), gate()];
    const calls = [policy.execute(a.fn), policy.execute(b.fn)];
    expect(state(policy)).toEqual({ ...empty, executing: 2, executionSlots: 0 });
    calls.push(policy.execute(c.fn));
    expect(state(policy)).toEqual({ ...empty, executing: 2, executionSlots: 0, queued: 1, queueSlots: 1 });
    calls.push(policy.execute(d.fn));
    expect(state(policy)).toEqual({ ...empty, executing: 2, executionSlots: 0, queued: 2, queueSlots: 0 });
    await expect(policy.execute(() => 'e')).rejects.toBeInstanceOf(BulkheadFullError);
    expect(state(policy)).toEqual({ ...empty, executing: 2, executionSlots: 0, queued: 2, queueSlots: 0 });
    a.resolve('a');
    await flush();
    expect(state(policy)).toEqual({ ...empty, executing: 2, executionSlots: 0, queued: 1, queueSlots: 1 });
    b.resolve('b');
    await flush();
    expect(state(policy)).toEqual({ ...empty, executing: 2, executionSlots: 0 });
    c.resolve('c');
    await flush();
    expect(state(policy)).toEqual({ ...empty, executing: 1, executionSlots: 1 });
    d.resolve('d');
    await expect(Promise.all(calls)).resolves.toEqual(['a', 'b', 'c', 'd']);
    expect(state(policy)).toEqual(empty);
  });

  it("hands the function the caller's signal and leaves no listener on it", async () => {
    const policy = bulkhead({ capacity: 1, queue: 1 });
    const caller = new AbortController();
    const running = gate();
    const first = policy.execute(running.fn, caller.signal);
    expect(running.signal()).toBe(caller.signal);
    expect(abortListenerCount(caller.signal)).toBe(0);
    const queued = gate();
    const second = policy.execute(queued.fn, caller.signal);
    expect(abortListenerCount(caller.signal)).toBe(1);
    running.resolve('1');
    await flush();
    expect(abortListenerCount(caller.signal)).toBe(0);
    expect(queued.signal()).toBe(caller.signal);
    queued.resolve('2');
    await expect(Promise.all([first, second])).resolves.toEqual(['1', '2']);
    let handed: AbortSignal | undefined;
    await policy.execute(({ signal }) => (handed = signal));
    expect(handed).toBe(neverAbortedSignal);
    expect(abortListenerCount(neverAbortedSignal)).toBe(0);
    expect(pendingTimers()).toBe(0);
  });

  it('rejects a full bulkhead with queue 0 at once', async () => {
    const policy = bulkhead(1);
    const running = gate();
    const first = policy.execute(running.fn);
    const second = track(policy.execute(() => 'never'));
    await Promise.resolve();
    expect(second.state).toBe('rejected');
    expect(second.error).toMatchObject({ capacity: 1, queue: 0, executing: 1, queued: 0, policy: 'bulkhead' });
    expect((second.error as Error).message).toBe('Bulkhead capacity exceeded: 1/1 running, 0/0 queued (bulkhead)');
    running.resolve('ok');
    await first;
  });
});
