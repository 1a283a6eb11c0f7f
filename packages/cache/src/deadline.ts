import { TimeoutError, type Clock } from '@breakwater/core';

/**
 * Settles with `work`, or rejects when `timeoutMs` passes (aborting `controller` with a
 * `TimeoutError` so the loader can stop) or when `controller` is aborted from outside (the cache
 * closing). The timer and listener are always released.
 */
export function withDeadline<T>(work: PromiseLike<T> | T, timeoutMs: number, controller: AbortController, clock: Clock, name: string): Promise<T> {
  const signal = controller.signal;
  if (signal.aborted) {
    Promise.resolve(work).catch(noop);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    let timer: unknown;
    const onAbort = (): void => {
      if (timer !== undefined) clock.clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== Infinity) {
      timer = clock.setTimeout(() => {
        timer = undefined;
        controller.abort(new TimeoutError(timeoutMs, { policy: name }));
      }, timeoutMs);
    }
    Promise.resolve(work).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (timer !== undefined) clock.clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (timer !== undefined) clock.clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function noop(): void {}
