import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { abortableDelay, linkSignal, neverAbortedSignal, raceAbort, type Clock } from '@breakwater/core';
import { abortListenerCount, pendingTimers, useFakeTime } from 'breakwater-test-utils';
import { vi } from 'vitest';

describe('abortableDelay', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  it('resolves after the delay and leaves no timer or listener', async () => {
    const controller = new AbortController();
    let done = false;
    const waiting = abortableDelay(1_000, controller.signal).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);
    expect(pendingTimers()).toBe(0);
    expect(abortListenerCount(controller.signal)).toBe(0);
  });

  it('rejects with the signal reason at once when aborted, clearing its timer', async () => {
    const controller = new AbortController();
    const waiting = abortableDelay(60_000, controller.signal);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(pendingTimers()).toBe(0);
    expect(abortListenerCount(controller.signal)).toBe(0);
  });

  it('rejects without scheduling anything when the signal is already aborted', async () => {
    const reason = new Error('already');
    await expect(abortableDelay(10, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(pendingTimers()).toBe(0);
  });

  it('uses the injected clock', async () => {
    const scheduled: number[] = [];
    const clock: Clock = {
      now: () => 0,
      epochNow: () => 0,
      setTimeout: (callback, ms) => {
        scheduled.push(ms);
        callback();
        return 1;
      },
      clearTimeout: () => {},
    };
    await abortableDelay(42, undefined, clock);
    expect(scheduled).toEqual([42]);
  });
});

describe('linkSignal', () => {
  it('follows the parent with its reason and unregisters on dispose', () => {
    const parent = new AbortController();
    const link = linkSignal(parent.signal);
    expect(abortListenerCount(parent.signal)).toBe(1);
    const reason = new Error('parent');
    parent.abort(reason);
    expect(link.signal.aborted).toBe(true);
    expect(link.signal.reason).toBe(reason);
    link.dispose();
    expect(abortListenerCount(parent.signal)).toBe(0);
  });

  it('aborts the child alone, and dispose is idempotent', () => {
    const parent = new AbortController();
    const link = linkSignal(parent.signal);
    link.abort(new Error('child'));
    expect(link.signal.aborted).toBe(true);
    expect(parent.signal.aborted).toBe(false);
    link.dispose();
    link.dispose();
    expect(abortListenerCount(parent.signal)).toBe(0);
  });

  it('starts aborted when the parent already is, and never listens on the never-aborted signal', () => {
    expect(linkSignal(AbortSignal.abort('r')).signal.reason).toBe('r');
    linkSignal(neverAbortedSignal);
    expect(abortListenerCount(neverAbortedSignal)).toBe(0);
  });
});

describe('raceAbort', () => {
  it('settles with the promise and removes its listener', async () => {
    const controller = new AbortController();
    await expect(raceAbort(Promise.resolve(7), controller.signal)).resolves.toBe(7);
    await expect(raceAbort(Promise.reject(new Error('x')), controller.signal)).rejects.toThrow('x');
    expect(abortListenerCount(controller.signal)).toBe(0);
  });

  it('rejects with the reason on abort and handles the late rejection of the loser', async () => {
    const controller = new AbortController();
    let rejectLate!: (e: Error) => void;
    const late = new Promise<never>((_, reject) => (rejectLate = reject));
    const racing = raceAbort(late, controller.signal);
    controller.abort('stop');
    await expect(racing).rejects.toBe('stop');
    rejectLate(new Error('late'));
    await new Promise((resolve) => setImmediate(resolve));
  });
});
