import { manualClock } from 'breakwater-test-utils';
import { createHealth, type Health, type HealthOptions } from '@breakwater/health';
import type { Clock } from '@breakwater/core';

export { deferred, manualClock, settle, startRedis, watchProcessProblems } from 'breakwater-test-utils';

/** A started health object on a manual clock (no lag sampler unless asked for). */
export function manualHealth(options: HealthOptions = {}): { health: Health; advance(ms: number): void; readonly pending: number; clock: Clock } {
  const time = manualClock();
  const health = createHealth({ eventLoopLag: false, ...options, clock: time.clock });
  health.markStarted();
  return {
    health,
    advance: (ms) => time.advance(ms),
    get pending() {
      return time.pending;
    },
    clock: time.clock,
  };
}

/** Wraps a promise so a test can ask whether it settled yet. */
export function track<T>(promise: Promise<T>): { readonly settled: boolean; readonly promise: Promise<T> } {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return {
    promise,
    get settled() {
      return settled;
    },
  };
}

/** Lets pending promise reactions run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
