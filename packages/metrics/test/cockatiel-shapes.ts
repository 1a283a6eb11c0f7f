/**
 * Stand-ins with cockatiel's event shapes and its one hazard: listeners run inside the policy's
 * `try`, unprotected, so a listener that throws turns a success into a failure and a retry.
 * (cockatiel itself is not a dependency of this package, and the binders only see events.)
 */
export class NaiveEmitter<T> {
  readonly #listeners = new Set<(data: T) => void>();

  readonly addListener = (listener: (data: T) => void): { dispose(): void } => {
    this.#listeners.add(listener);
    return { dispose: () => void this.#listeners.delete(listener) };
  };

  get size(): number {
    return this.#listeners.size;
  }

  emit(data: T): void {
    for (const listener of this.#listeners) listener(data);
  }
}

/** cockatiel's `retry(handleAll, { maxAttempts })` event surface, with no delays. */
export function cockatielLikeRetry(maxAttempts: number) {
  const retryEmitter = new NaiveEmitter<{ error: unknown; delay: number }>();
  const giveUpEmitter = new NaiveEmitter<{ error: unknown }>();
  const successEmitter = new NaiveEmitter<{ duration: number }>();
  const failureEmitter = new NaiveEmitter<{ duration: number; handled: boolean; reason: { error: unknown } }>();
  return {
    emitters: { retryEmitter, giveUpEmitter, successEmitter, failureEmitter },
    onRetry: retryEmitter.addListener,
    onGiveUp: giveUpEmitter.addListener,
    onSuccess: successEmitter.addListener,
    onFailure: failureEmitter.addListener,
    async execute<T>(fn: () => Promise<T> | T): Promise<T> {
      for (let retries = 0; ; retries++) {
        try {
          const value = await fn();
          successEmitter.emit({ duration: 5 });
          return value;
        } catch (error) {
          failureEmitter.emit({ duration: 5, handled: true, reason: { error } });
          if (retries >= maxAttempts) {
            giveUpEmitter.emit({ error });
            throw error;
          }
          retryEmitter.emit({ error, delay: 0 });
        }
      }
    },
  };
}

/** cockatiel's numeric `CircuitState`: Closed, Open, HalfOpen, Isolated. */
export const CockatielState = { Closed: 0, Open: 1, HalfOpen: 2, Isolated: 3 } as const;

/** cockatiel's circuit breaker event surface: `onStateChange` gives the new numeric state only. */
export function cockatielLikeBreaker() {
  const stateEmitter = new NaiveEmitter<number>();
  const breakEmitter = new NaiveEmitter<{ error: unknown }>();
  let state: number = CockatielState.Closed;
  return {
    stateEmitter,
    get state(): number {
      return state;
    },
    onStateChange: stateEmitter.addListener,
    onBreak: breakEmitter.addListener,
    moveTo(next: number): void {
      state = next;
      stateEmitter.emit(next);
    },
  };
}
