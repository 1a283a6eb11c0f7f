import type { Clock } from '@breakwater/core';
import type { BreakDurations } from './break-duration.ts';
import { assertSnapshot, type CircuitSnapshot } from './state.ts';
import type { CircuitStore } from './store.ts';
import type { FailureWindow } from './strategies/strategy.ts';
import { rethrowLater } from './user-code.ts';

/** Where a breaker starts: closed, or open until `halfOpenAt` (monotonic ms). */
export interface RestoredState {
  readonly open: boolean;
  readonly halfOpenAt: number;
  readonly opens: number;
}

/**
 * Loads the window of `snapshot` into `window` and works out the state to start in. Only
 * closed and open are ever restored: in-flight probes do not travel, so a half-open snapshot
 * restores as open with its break over (the next call probes); isolation handles do not travel
 * either, so an isolated snapshot restores as open for a full break rather than isolated for good.
 */
export function restoreSnapshot(snapshot: CircuitSnapshot, window: FailureWindow, durations: BreakDurations, clock: Clock): RestoredState {
  const now = clock.now();
  const epoch = clock.epochNow();
  // A window of another kind or shape (the configuration changed) stays empty.
  window.restore(snapshot.window, Math.max(0, epoch - snapshot.takenAt), now);
  if (snapshot.state === 'closed') return { open: false, halfOpenAt: 0, opens: snapshot.opens };
  const opens = Math.max(1, snapshot.opens);
  let halfOpenAt: number;
  if (snapshot.state === 'open') halfOpenAt = now + ((snapshot.halfOpenAt ?? epoch) - epoch);
  else if (snapshot.state === 'half-open') halfOpenAt = now;
  else halfOpenAt = now + durations.forOpen(opens);
  return { open: true, halfOpenAt, opens };
}

/** The store's snapshot, checked. A store that throws or answers garbage must not stop the breaker: start closed, keep the bug loud. */
export function loadSnapshot(store: CircuitStore | undefined): CircuitSnapshot | undefined {
  if (store === undefined) return undefined;
  try {
    const snapshot = store.load();
    if (snapshot !== undefined) assertSnapshot('store.load()', snapshot);
    return snapshot;
  } catch (error) {
    rethrowLater(error);
    return undefined;
  }
}
