import { describe, expect, it, vi } from 'vitest';
import { EventEmitter, once } from '@breakwater/core';

describe('EventEmitter', () => {
  it('delivers to every listener and stops after dispose', () => {
    const emitter = new EventEmitter<number>();
    const a: number[] = [];
    const b: number[] = [];
    const subA = emitter.event((n) => a.push(n));
    emitter.event((n) => b.push(n));
    emitter.emit(1);
    subA.dispose();
    emitter.emit(2);
    expect(a).toEqual([1]);
    expect(b).toEqual([1, 2]);
    expect(emitter.size).toBe(1);
  });

  it('supports `using` through Symbol.dispose', () => {
    const emitter = new EventEmitter<void>();
    {
      using _subscription = emitter.event(() => {});
      expect(emitter.hasListeners).toBe(true);
    }
    expect(emitter.hasListeners).toBe(false);
  });

  it('isolates a throwing listener: the others still run and the error is rethrown on nextTick', () => {
    const deferred: (() => void)[] = [];
    vi.spyOn(process, 'nextTick').mockImplementation(((fn: () => void) => void deferred.push(fn)) as typeof process.nextTick);
    const emitter = new EventEmitter<string>();
    const seen: string[] = [];
    emitter.event(() => {
      throw new Error('listener bug');
    });
    emitter.event((s) => seen.push(s));
    expect(() => emitter.emit('x')).not.toThrow();
    expect(seen).toEqual(['x']);
    expect(deferred).toHaveLength(1);
    expect(() => deferred[0]!()).toThrow('listener bug');
  });

  it('lets a listener dispose itself during emit without skipping its neighbours', () => {
    const emitter = new EventEmitter<void>();
    const calls: string[] = [];
    const first = emitter.event(() => {
      calls.push('first');
      first.dispose();
    });
    emitter.event(() => calls.push('second'));
    emitter.emit();
    emitter.emit();
    expect(calls).toEqual(['first', 'second', 'second']);
  });

  it('once() fires a single time', () => {
    const emitter = new EventEmitter<number>();
    const seen: number[] = [];
    once(emitter.event, (n) => seen.push(n));
    emitter.emit(1);
    emitter.emit(2);
    expect(seen).toEqual([1]);
    expect(emitter.size).toBe(0);
  });
});
