import { describe, expect, it } from 'vitest';
import type { Clock } from '@breakwater/core';
import { Deadline, DeadlineQueue } from '../src/deadline-queue.ts';

class Recorded extends Deadline {
  readonly #onExpire: () => void;
  constructor(onExpire: () => void) {
    super();
    this.#onExpire = onExpire;
  }
  expire(): void {
    this.#onExpire();
  }
}

/** Adds a deadline that runs `onExpire`, returning it for `cancel()`. */
function add(queue: DeadlineQueue, onExpire: () => void): Deadline {
  const deadline = new Recorded(onExpire);
  queue.add(deadline);
  return deadline;
}

/** A manual clock whose timers record their ref state, to see what the queue does to them. */
function manualClock() {
  let now = 0;
  const timers: { at: number; callback: () => void; refed: boolean; cleared: boolean }[] = [];
  const clock: Clock = {
    now: () => now,
    epochNow: () => now,
    setTimeout(callback, ms) {
      const timer = {
        at: now + ms,
        callback,
        refed: true,
        cleared: false,
        ref() {
          timer.refed = true;
        },
        unref() {
          timer.refed = false;
        },
      };
      timers.push(timer);
      return timer;
    },
    clearTimeout(handle) {
      (handle as { cleared: boolean }).cleared = true;
    },
  };
  const advance = (ms: number): void => {
    now += ms;
    for (const timer of timers.filter((t) => !t.cleared && t.at <= now)) {
      timer.cleared = true;
      timer.callback();
    }
  };
  return { clock, timers, advance, live: () => timers.filter((t) => !t.cleared) };
}

describe('DeadlineQueue', () => {
  it('uses one timer for many deadlines and expires each at its own time', () => {
    const { clock, advance, live } = manualClock();
    const queue = new DeadlineQueue(clock, 100);
    const expired: string[] = [];
    add(queue, () => expired.push('a'));
    advance(30);
    add(queue, () => expired.push('b'));
    expect(live()).toHaveLength(1);
    advance(70);
    expect(expired).toEqual(['a']);
    expect(live()).toHaveLength(1); // re-armed for b
    advance(30);
    expect(expired).toEqual(['a', 'b']);
    expect(live()).toHaveLength(0);
  });

  it('never expires a cancelled deadline, and unrefs its timer while idle instead of clearing it', () => {
    const { clock, advance, live, timers } = manualClock();
    const queue = new DeadlineQueue(clock, 100);
    const expired: string[] = [];
    const a = add(queue, () => expired.push('a'));
    a.cancel();
    a.cancel();
    expect(timers[0]).toMatchObject({ refed: false, cleared: false });
    advance(50);
    const b = add(queue, () => expired.push('b'));
    expect(timers).toHaveLength(1);
    expect(timers[0]!.refed).toBe(true);
    advance(50); // the timer armed for a fires at 100: b (due at 150) is not, so it re-arms
    expect(expired).toEqual([]);
    expect(live()).toHaveLength(1);
    b.cancel();
    advance(50);
    expect(expired).toEqual([]);
    expect(live()).toHaveLength(0);
  });

  it('with keepsAlive: false, never refs its timer, yet expires on time and re-arms', () => {
    const { clock, advance, live, timers } = manualClock();
    const queue = new DeadlineQueue(clock, 100, { keepsAlive: false });
    const expired: string[] = [];
    add(queue, () => expired.push('a'));
    expect(timers[0]!.refed).toBe(false);
    advance(60);
    add(queue, () => expired.push('b')).cancel();
    const c = new Recorded(() => expired.push('c'));
    queue.add(c, 50); // a reading taken earlier: due at 150, not 160
    advance(40);
    expect(expired).toEqual(['a']);
    expect(live()).toHaveLength(1);
    expect(timers.every((timer) => !timer.refed)).toBe(true);
    advance(50);
    expect(expired).toEqual(['a', 'c']);
  });

  it('survives an expiry that settles the next deadline synchronously', () => {
    const { clock, advance } = manualClock();
    const queue = new DeadlineQueue(clock, 100);
    const expired: string[] = [];
    let second: { cancel(): void } | undefined;
    add(queue, () => {
      expired.push('first');
      second?.cancel();
    });
    second = add(queue, () => expired.push('second'));
    add(queue, () => expired.push('third'));
    advance(100);
    expect(expired).toEqual(['first', 'third']);
  });

  it('release() clears an idle timer at once, and a busy one when its last deadline leaves', () => {
    const { clock, advance, live } = manualClock();
    const idle = new DeadlineQueue(clock, 100);
    add(idle, () => {}).cancel();
    expect(live()).toHaveLength(1); // unref'd, not cleared
    idle.release();
    expect(live()).toHaveLength(0);

    const busy = new DeadlineQueue(clock, 100);
    const expired: string[] = [];
    const a = add(busy, () => expired.push('a'));
    add(busy, () => expired.push('b')).cancel();
    busy.release();
    expect(live()).toHaveLength(1); // a is still pending: its deadline holds
    advance(100);
    expect(expired).toEqual(['a']);
    expect(live()).toHaveLength(0);
    a.cancel();
    const c = add(busy, () => expired.push('c'));
    expect(live()).toHaveLength(1); // a later deadline arms a new timer
    c.cancel();
    expect(live()).toHaveLength(0);
  });
});
