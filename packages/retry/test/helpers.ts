import { vi } from 'vitest';
import type { RetryContext } from '@breakwater/retry';

/** A function that throws `failures` times, then returns `value`; records each context it got. */
export function flaky<T>(failures: number, value: T, makeError: (attempt: number) => unknown = (n) => new Error(`boom ${n}`)) {
  const contexts: RetryContext[] = [];
  const fn = vi.fn((context: RetryContext) => {
    contexts.push(context);
    if (contexts.length <= failures) throw makeError(contexts.length);
    return value;
  });
  return { fn, contexts };
}

/** A function that never settles until told to, so a test can abort it mid-flight. */
export function hanging<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const fn = vi.fn(
    () =>
      new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      }),
  );
  return { fn, resolve: (v: T) => resolve(v), reject: (e: unknown) => reject(e) };
}

/** Settles `promise` into a value or the error it rejected with, so a test can await it later. */
export function settle<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/**
 * Collects the errors listeners threw, which the emitter rethrows on `process.nextTick`, by
 * wrapping each nextTick callback. Every callback still runs on the real nextTick (vitest's own
 * included); only errors whose message is `marker` are caught instead of becoming uncaught.
 */
export function catchListenerErrors(marker: string): unknown[] {
  const caught: unknown[] = [];
  const original = process.nextTick.bind(process);
  vi.spyOn(process, 'nextTick').mockImplementation(((callback: (...args: unknown[]) => void, ...args: unknown[]) =>
    original(() => {
      try {
        callback(...args);
      } catch (error) {
        if (error instanceof Error && error.message === marker) caught.push(error);
        else throw error;
      }
    })) as typeof process.nextTick);
  return caught;
}
