/** The shape of Breakwater's `Clock` (structural: test-utils does not depend on core). */
export interface ManualClockTime {
  now(): number;
  epochNow(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** A clock whose timers fire only when the test says so. */
export function manualClock(): { clock: ManualClockTime; advance(ms: number): void; readonly pending: number } {
  let now = 0;
  let nextId = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  return {
    clock: {
      now: () => now,
      epochNow: () => now,
      setTimeout: (callback, ms) => {
        timers.set(++nextId, { at: now + ms, callback });
        return nextId;
      },
      clearTimeout: (handle) => void timers.delete(handle as number),
    },
    advance(ms) {
      now += ms;
      for (const [id, timer] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (timer.at > now) break;
        timers.delete(id);
        timer.callback();
      }
    },
    get pending() {
      return timers.size;
    },
  };
}
