import { systemClock, type Clock } from './clock.ts';

/**
 * A signal that never aborts: the default for calls made without one. Nothing ever listens on
 * it, so code that links to a caller's signal skips it instead of piling listeners onto it.
 */
export const neverAbortedSignal: AbortSignal = new AbortController().signal;

/** True when `signal` can abort at all (it was given and is not {@link neverAbortedSignal}). */
export function isAbortable(signal: AbortSignal | undefined): signal is AbortSignal {
  return signal !== undefined && signal !== neverAbortedSignal;
}

/**
 * Resolves after `ms` on `clock`, or rejects with `signal.reason` as soon as `signal` aborts.
 * Either way the timer is cleared and the abort listener removed, so nothing outlives the wait.
 */
export function abortableDelay(ms: number, signal?: AbortSignal, clock: Clock = systemClock): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    if (!isAbortable(signal)) {
      clock.setTimeout(resolve, ms);
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A child abort controller that follows a parent signal until disposed. */
export interface LinkedAbort {
  readonly signal: AbortSignal;
  /** Aborts the child only; the parent is never touched. */
  abort(reason?: unknown): void;
  /** Stops following the parent (removes the listener). Safe to call more than once. */
  dispose(): void;
}

/**
 * Creates a child signal that aborts when `parent` aborts (with the parent's reason) or when
 * `abort()` is called. `dispose()` unregisters from the parent: call it when the work the child
 * guards has settled, or a long-lived parent collects one listener per call (cockatiel #81).
 */
export function linkSignal(parent?: AbortSignal): LinkedAbort {
  const controller = new AbortController();
  if (!isAbortable(parent)) {
    return { signal: controller.signal, abort: (reason) => controller.abort(reason), dispose: noop };
  }
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { signal: controller.signal, abort: noop, dispose: noop };
  }
  const onParentAbort = (): void => controller.abort(parent.reason);
  parent.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    dispose: () => parent.removeEventListener('abort', onParentAbort),
  };
}

/**
 * Settles with `promise`, or rejects with `signal.reason` as soon as `signal` aborts. The
 * listener is removed once either happens; a late rejection of `promise` is handled.
 */
export function raceAbort<T>(promise: PromiseLike<T> | T, signal: AbortSignal | undefined): Promise<T> {
  if (!isAbortable(signal)) return Promise.resolve(promise);
  if (signal.aborted) {
    Promise.resolve(promise).catch(noop);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(promise).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function noop(): void {}
