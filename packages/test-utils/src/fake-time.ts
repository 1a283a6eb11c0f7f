import { vi } from 'vitest';

/**
 * Fakes every time source Breakwater's systemClock reads (timers, Date, performance), so a
 * test moves time with `await vi.advanceTimersByTimeAsync(ms)` instead of sleeping.
 * vitest does not fake nextTick or queueMicrotask, so promise chains still run.
 */
export function useFakeTime(now = 0): void {
  vi.useFakeTimers({
    now,
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date', 'performance'],
  });
}

/** Number of pending fake timers; 0 after a call settles means nothing was left behind. */
export function pendingTimers(): number {
  return vi.getTimerCount();
}
