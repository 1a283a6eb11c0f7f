import { describe, expect, it, vi } from 'vitest';
import { fallback } from '@breakwater/core';

describe('fallback()', () => {
  it('replaces a failure with the fallback value and reports it', async () => {
    const policy = fallback({ fallback: (error) => `cached (${(error as Error).message})` });
    const onFallback = vi.fn();
    policy.onFallback(onFallback);
    await expect(policy.execute(() => Promise.reject(new Error('db down')))).resolves.toBe('cached (db down)');
    expect(onFallback).toHaveBeenCalledWith({ policy: 'fallback', error: new Error('db down') });
  });

  it('passes successes through untouched', async () => {
    await expect(fallback({ fallback: () => 0 }).execute(() => 42)).resolves.toBe(42);
  });

  it('rethrows errors the filter does not handle', async () => {
    const policy = fallback({ fallback: () => 'x', handle: (e) => (e as Error).message !== 'fatal' });
    await expect(policy.execute(() => Promise.reject(new Error('fatal')))).rejects.toThrow('fatal');
  });

  it("never replaces the caller's own abort", async () => {
    const controller = new AbortController();
    const policy = fallback({ fallback: () => 'x' });
    const running = policy.execute(
      ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      controller.signal,
    );
    controller.abort(new Error('client left'));
    await expect(running).rejects.toThrow('client left');
  });

  it('requires a fallback function', () => {
    expect(() => fallback({} as never)).toThrow('Expected `fallback` to be a function, got `undefined` (undefined)');
  });
});
