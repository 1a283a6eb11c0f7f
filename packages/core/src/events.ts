/** Something to release: a listener, a subscription. Works with `using` as well. */
export interface Disposable {
  dispose(): void;
  [Symbol.dispose](): void;
}

/**
 * Subscribes a listener and returns its disposable: the cockatiel `Event` shape, so a
 * Breakwater policy's `onRetry` can be used wherever a cockatiel event is expected.
 */
export type Event<T> = (listener: (data: T) => void) => Disposable;

type Listener<T> = (data: T) => void;

/**
 * Emits typed events to listeners that can never change the outcome of the call that emitted
 * them. cockatiel calls listeners inside the policy's `try`, so a throwing `onSuccess` listener
 * makes a retry policy run a successful call again; here whatever a listener throws is rethrown
 * on `process.nextTick` (as `diagnostics_channel` does), so the bug stays loud and the call is
 * untouched. Zero or one listener costs no array.
 */
export class EventEmitter<T> {
  #listeners: Listener<T> | Listener<T>[] | undefined;

  /** The subscribe function, to expose as a policy's `onX` property. */
  readonly event: Event<T> = (listener) => this.#add(listener);

  /** Number of listeners. */
  get size(): number {
    const listeners = this.#listeners;
    if (listeners === undefined) return 0;
    return typeof listeners === 'function' ? 1 : listeners.length;
  }

  /** True when at least one listener is subscribed; lets hot paths skip building payloads. */
  get hasListeners(): boolean {
    return this.#listeners !== undefined;
  }

  emit(data: T): void {
    const listeners = this.#listeners;
    if (listeners === undefined) return;
    if (typeof listeners === 'function') {
      callIsolated(listeners, data);
      return;
    }
    // A copy: a listener that disposes itself (or another) must not skip its neighbours.
    for (const listener of listeners.slice()) callIsolated(listener, data);
  }

  #add(listener: Listener<T>): Disposable {
    const current = this.#listeners;
    if (current === undefined) this.#listeners = listener;
    else if (typeof current === 'function') this.#listeners = [current, listener];
    else current.push(listener);

    let disposed = false;
    const dispose = (): void => {
      if (disposed) return;
      disposed = true;
      this.#remove(listener);
    };
    return { dispose, [Symbol.dispose]: dispose };
  }

  #remove(listener: Listener<T>): void {
    const current = this.#listeners;
    if (current === listener) {
      this.#listeners = undefined;
      return;
    }
    if (typeof current !== 'object') return;
    const index = current.indexOf(listener);
    if (index === -1) return;
    current.splice(index, 1);
    if (current.length === 1) this.#listeners = current[0];
    else if (current.length === 0) this.#listeners = undefined;
  }
}

function callIsolated<T>(listener: Listener<T>, data: T): void {
  try {
    listener(data);
  } catch (error) {
    process.nextTick(() => {
      throw error;
    });
  }
}

/** Subscribes `listener` for the next emission only. */
export function once<T>(event: Event<T>, listener: (data: T) => void): Disposable {
  const subscription = event((data) => {
    subscription.dispose();
    listener(data);
  });
  return subscription;
}
