import type { Disposable } from '@breakwater/core';

/** The cockatiel `Event` shape every Breakwater and cockatiel policy exposes as `onX`. */
export type Listen = (listener: (data: unknown) => void) => { dispose(): void };

/**
 * A listener that can never change the outcome of the call that emitted the event: cockatiel
 * runs listeners inside its `try`, so a throw there would re-run a call. What it throws is
 * rethrown on `process.nextTick`, where it stays loud.
 */
export function isolated<T>(listener: (data: T) => void): (data: T) => void {
  return (data) => {
    try {
      listener(data);
    } catch (error) {
      process.nextTick(() => {
        throw error;
      });
    }
  };
}

/** Collects what one binding must undo, and undoes it once. */
export class Binding {
  readonly #undo: (() => void)[] = [];

  /**
   * Subscribes an isolated listener to `policy[event]` if the policy has that event (called as a
   * method, so an event bound to `this` works too); returns whether it did.
   */
  listen<T>(policy: object, event: string, listener: (data: T) => void): boolean {
    const subscribe = (policy as Record<string, unknown>)[event];
    if (typeof subscribe !== 'function') return false;
    const subscription = (subscribe as (listener: (data: T) => void) => { dispose(): void }).call(policy, isolated(listener));
    this.#undo.push(() => subscription.dispose());
    return true;
  }

  onDispose(undo: () => void): void {
    this.#undo.push(undo);
  }

  toDisposable(): Disposable {
    let disposed = false;
    const dispose = (): void => {
      if (disposed) return;
      disposed = true;
      for (const undo of this.#undo.splice(0)) undo();
    };
    return { dispose, [Symbol.dispose]: dispose };
  }
}
