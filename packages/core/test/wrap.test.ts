import { describe, expect, it } from 'vitest';
import { handleAll, retry as cockatielRetry, wrap as cockatielWrap, ConstantBackoff } from 'cockatiel';
import { fallback, timeout, wrap, type PolicyContext } from '@breakwater/core';

describe('wrap()', () => {
  it('nests policies outermost first', async () => {
    const order: string[] = [];
    const tracer = (name: string) => ({
      onSuccess: () => ({ dispose() {}, [Symbol.dispose]() {} }),
      onFailure: () => ({ dispose() {}, [Symbol.dispose]() {} }),
      _altReturn: undefined as never,
      async execute<T>(fn: (c: PolicyContext) => PromiseLike<T> | T, signal?: AbortSignal) {
        order.push(`${name}:in`);
        try {
          return await fn({ signal: signal ?? new AbortController().signal });
        } finally {
          order.push(`${name}:out`);
        }
      },
    });
    await wrap(tracer('a'), tracer('b'), tracer('c')).execute(() => order.push('fn'));
    expect(order).toEqual(['a:in', 'b:in', 'c:in', 'fn', 'c:out', 'b:out', 'a:out']);
  });

  it("composes with cockatiel's policies inside ours, merging their context", async () => {
    let calls = 0;
    let lastAttempt = -1;
    const policy = wrap(
      timeout(1_000),
      cockatielRetry(handleAll, { maxAttempts: 2, backoff: new ConstantBackoff(0) }),
    );
    const result = await policy.execute((context) => {
      lastAttempt = context.attempt;
      if (++calls < 3) throw new Error('flaky');
      return context.signal.aborted ? 'aborted' : 'ok';
    });
    expect(result).toBe('ok');
    expect(lastAttempt).toBe(2);
  });

  it('keeps keys an outer layer added when inner layers only hand down a signal', async () => {
    const caller = new AbortController();
    let seen: { attempt?: number; signal: AbortSignal } | undefined;
    const policy = wrap(cockatielRetry(handleAll, { maxAttempts: 1, backoff: new ConstantBackoff(0) }), timeout(1_000), fallback({ fallback: () => 'fb' }));
    await policy.execute((context) => {
      seen = context;
      return 'ok';
    }, caller.signal);
    expect(seen!.attempt).toBe(0);
    // The signal is the timeout's, linked to the caller's: not the caller's own.
    expect(seen!.signal).not.toBe(caller.signal);
    caller.abort('stop');
    expect(seen!.signal.aborted).toBe(false); // the call had settled, so the link was removed
  });

  it("and ours inside cockatiel's wrap()", async () => {
    const policy = cockatielWrap(fallback({ fallback: () => 'fallback' }), timeout(1_000));
    await expect(policy.execute(() => Promise.reject(new Error('x')))).resolves.toBe('fallback');
  });

  it('hands the innermost signal to the function, linked to the caller', async () => {
    const caller = new AbortController();
    let seen: AbortSignal | undefined;
    const running = wrap(timeout(10_000), timeout(5_000)).execute(
      ({ signal }) =>
        new Promise((_, reject) => {
          seen = signal;
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
      caller.signal,
    );
    caller.abort(new Error('stop'));
    await expect(running).rejects.toThrow('stop');
    expect(seen!.aborted).toBe(true);
  });

  it('rejects a call without policies and arguments that are not policies', () => {
    expect(() => wrap()).toThrow('Expected `wrap()` to receive at least one policy, got none');
    expect(() => wrap(timeout(1), {} as never)).toThrow('Expected argument 1 of `wrap()` to be a policy with execute(), got `[object Object]` (object)');
  });
});
