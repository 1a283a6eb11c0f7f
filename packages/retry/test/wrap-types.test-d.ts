import { expectTypeOf, test } from 'vitest';
import { timeout, wrap } from '@breakwater/core';
import { retry } from '@breakwater/retry';

test('wrap() merges the contexts of its policies into what the function receives', () => {
  const policy = wrap(timeout(1_000), retry());
  void policy.execute((context) => {
    expectTypeOf(context.signal).toEqualTypeOf<AbortSignal>();
    expectTypeOf(context.attempt).toEqualTypeOf<number>();
    return 1;
  });
});
