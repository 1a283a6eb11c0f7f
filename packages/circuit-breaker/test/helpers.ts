import { vi } from 'vitest';
import type { CircuitBreakerPolicy } from '@breakwater/circuit-breaker';

/** A call that settles only when told to; records how often it ran and the signal it got. */
export function controllable<T = string>() {
  const pending: { resolve: (value: T) => void; reject: (error: unknown) => void }[] = [];
  const signals: AbortSignal[] = [];
  const fn = ({ signal }: { signal: AbortSignal }): Promise<T> => {
    signals.push(signal);
    return new Promise<T>((resolve, reject) => pending.push({ resolve, reject }));
  };
  return {
    fn,
    get calls() {
      return pending.length;
    },
    signals,
    resolve(value: T, index = 0) {
      pending[index]!.resolve(value);
    },
    reject(error: unknown, index = 0) {
      pending[index]!.reject(error);
    },
  };
}

export const succeed = (): Promise<string> => Promise.resolve('ok');
export const fail = (): Promise<never> => Promise.reject(new Error('upstream down'));

/** Runs `count` failing calls and swallows their errors. */
export async function failTimes(breaker: CircuitBreakerPolicy, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await breaker.execute(fail).catch(() => {});
}

/** Lets every queued promise reaction run, without moving time. */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** The settled outcome of a promise, to assert on without try/catch. */
export function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/** Subscribes to every transition and rejection event and records them as short strings. */
export function recordEvents(breaker: CircuitBreakerPolicy): string[] {
  const seen: string[] = [];
  breaker.onBreak(({ reason }) => seen.push(`break:${reason.kind}`));
  breaker.onHalfOpen(() => seen.push('half-open'));
  breaker.onReset(() => seen.push('reset'));
  breaker.onStateChange(({ from, to }) => seen.push(`${from}>${to}`));
  breaker.onRejected(({ state }) => seen.push(`rejected:${state}`));
  return seen;
}

/**
 * Captures what is scheduled on process.nextTick while `run` executes (where the breaker rethrows
 * the errors of throwing listeners, filters and stores), then restores nextTick at once: vitest
 * itself needs it.
 */
export async function captureNextTick(run: () => Promise<void> | void): Promise<(() => void)[]> {
  const deferred: (() => void)[] = [];
  const spy = vi.spyOn(process, 'nextTick').mockImplementation(((fn: () => void) => void deferred.push(fn)) as typeof process.nextTick);
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return deferred;
}
