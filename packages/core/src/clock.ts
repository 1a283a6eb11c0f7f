/**
 * An injectable time source. Every Breakwater package takes a `clock` option and never reads
 * `Date.now()` or the global timers directly, so tests can drive time (lru-cache's `perf` option,
 * TanStack's `timeoutManager`).
 */
export interface Clock {
  /** Monotonic milliseconds (fractional), for durations and deadlines. */
  now(): number;
  /** Milliseconds since the Unix epoch, for wall-clock values such as HTTP dates. */
  epochNow(): number;
  /** Schedules `callback` after `ms` milliseconds and returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Opaque timer handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/**
 * The default clock. Each method looks the global up when it runs, not when this module loads:
 * a reference captured at import time would escape fake timers installed later by tests.
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  epochNow: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
