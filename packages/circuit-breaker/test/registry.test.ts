import { describe, expect, it, vi } from 'vitest';
import { breakerRegistry, circuitBreaker, consecutive } from '@breakwater/circuit-breaker';
import { failTimes } from './helpers.ts';

describe('breakerRegistry()', () => {
  it('creates one breaker per key, once', () => {
    const create = vi.fn((_key: string) => circuitBreaker({ name: 'upstream' }));
    const registry = breakerRegistry({ create });
    const a = registry.get('a.example');
    expect(registry.get('a.example')).toBe(a);
    expect(registry.get('b.example')).not.toBe(a);
    expect(create.mock.calls).toEqual([['a.example'], ['b.example']]);
    expect(registry.size).toBe(2);
  });

  it('keeps each key’s state apart', async () => {
    const registry = breakerRegistry({ create: () => circuitBreaker({ strategy: consecutive({ threshold: 1 }) }) });
    await failTimes(registry.get('down.example'), 1);
    expect(registry.get('down.example').state).toBe('open');
    expect(registry.get('up.example').state).toBe('closed');
  });

  it('evicts the least recently used key past max, and forgets its state', async () => {
    const create = vi.fn(() => circuitBreaker({ strategy: consecutive({ threshold: 1 }) }));
    const registry = breakerRegistry({ create, max: 3 });
    await failTimes(registry.get('a'), 1);
    registry.get('b');
    registry.get('c');
    registry.get('a'); // a is now the most recent
    registry.get('d'); // evicts b
    expect(registry.size).toBe(3);
    expect([...registry.entries()].map(([key]) => key)).toEqual(['d', 'a', 'c']);
    expect(registry.has('b')).toBe(false);
    expect(new Map(registry.entries()).get('a')?.state).toBe('open'); // entries() does not touch recency
    registry.get('e'); // evicts c
    registry.get('f'); // evicts a, open breaker and all
    expect(registry.has('a')).toBe(false);
    expect(registry.get('a').state).toBe('closed');
    expect(create).toHaveBeenCalledTimes(7);
  });

  it('holds at most max entries whatever the number of keys', () => {
    const registry = breakerRegistry({ create: () => circuitBreaker(), max: 100 });
    for (let i = 0; i < 10_000; i++) registry.get(`host-${i}`);
    expect(registry.size).toBe(100);
    expect(registry.has('host-9999')).toBe(true);
    expect(registry.has('host-9899')).toBe(false);
  });

  it('deletes keys', () => {
    const registry = breakerRegistry({ create: () => circuitBreaker() });
    const first = registry.get('a');
    expect(registry.delete('a')).toBe(true);
    expect(registry.delete('a')).toBe(false);
    expect(registry.size).toBe(0);
    expect(registry.get('a')).not.toBe(first);
  });

  it('asking for the same key again returns its breaker until it is evicted or deleted', () => {
    const create = vi.fn((_key: string) => circuitBreaker());
    const registry = breakerRegistry({ create, max: 1 });
    const a = registry.get('a');
    expect(registry.get('a')).toBe(a);
    registry.get('b'); // evicts a
    const again = registry.get('a');
    expect(again).not.toBe(a);
    expect(registry.get('a')).toBe(again);
    expect(create.mock.calls).toEqual([['a'], ['b'], ['a']]);
  });

  it('defaults max to 1000 and rejects non-string keys', () => {
    const registry = breakerRegistry({ create: () => circuitBreaker() });
    expect(registry.max).toBe(1_000);
    expect(() => registry.get(42 as never)).toThrow('Expected the key of breakerRegistry().get() to be a string, got `42` (number)');
  });
});
