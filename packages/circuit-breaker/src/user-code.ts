/**
 * Runs code the user supplied (filters, stores) so that a bug in it cannot change a call's
 * outcome or the breaker's state: what it throws is rethrown on `process.nextTick`, as core's
 * EventEmitter does for listeners, so the bug stays loud.
 */
export function rethrowLater(error: unknown): void {
  process.nextTick(() => {
    throw error;
  });
}

/** Asks a filter; one that throws answers `fallback` (its option's default) and is rethrown later. */
export function passes(filter: (value: unknown) => boolean, value: unknown, fallback: boolean): boolean {
  try {
    return filter(value);
  } catch (error) {
    rethrowLater(error);
    return fallback;
  }
}
