import { getEventListeners } from 'node:events';

/** Number of `abort` listeners currently registered on `signal`. */
export function abortListenerCount(signal: AbortSignal): number {
  return getEventListeners(signal, 'abort').length;
}

/**
 * Active handles and requests by kind (`Timeout`, `TCPSocketWrap`, …), from
 * `process.getActiveResourcesInfo()`. Compare a snapshot before and after a scenario.
 */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** Kinds whose count grew between two {@link activeResources} snapshots. */
export function grownResources(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const grown: Record<string, number> = {};
  for (const [kind, count] of Object.entries(after)) {
    const delta = count - (before[kind] ?? 0);
    if (delta > 0) grown[kind] = delta;
  }
  return grown;
}

/**
 * Collects `unhandledRejection` and `warning` events (MaxListenersExceeded, TimeoutOverflow)
 * while installed; `stop()` removes the hooks and returns what was seen.
 */
export function watchProcessProblems(): { stop(): { unhandled: unknown[]; warnings: Error[] } } {
  const unhandled: unknown[] = [];
  const warnings: Error[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  const onWarning = (warning: Error): void => void warnings.push(warning);
  process.on('unhandledRejection', onUnhandled);
  process.on('warning', onWarning);
  return {
    stop() {
      process.off('unhandledRejection', onUnhandled);
      process.off('warning', onWarning);
      return { unhandled, warnings };
    },
  };
}
