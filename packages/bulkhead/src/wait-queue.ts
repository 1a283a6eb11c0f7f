import { isAbortable } from '@breakwater/core';

/**
 * One caller waiting for a slot: a node of the queue's linked list and, when the caller's signal
 * can abort, the abort listener itself (`handleEvent`), so waiting allocates no closure.
 */
class Waiter {
  prev: Waiter | undefined = undefined;
  next: Waiter | undefined = undefined;
  readonly queue: WaitQueue;
  readonly signal: AbortSignal;
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;

  constructor(queue: WaitQueue, signal: AbortSignal, resolve: () => void, reject: (reason: unknown) => void) {
    this.queue = queue;
    this.signal = signal;
    this.resolve = resolve;
    this.reject = reject;
  }

  /** The caller gave up while waiting: leave the queue now, not when a slot frees (cockatiel #114). */
  handleEvent(): void {
    this.queue.unlink(this);
    this.reject(this.signal.reason);
  }
}

/**
 * A FIFO of callers waiting for a slot: a doubly linked list, so a caller that aborts is removed
 * in O(1) from anywhere in the queue, and the head is taken in O(1) when a slot frees.
 */
export class WaitQueue {
  #head: Waiter | undefined = undefined;
  #tail: Waiter | undefined = undefined;
  #size = 0;

  /** Callers waiting. */
  get size(): number {
    return this.#size;
  }

  /**
   * Joins the back of the queue. Resolves once {@link grantNext} picks this caller; rejects with
   * `signal.reason` as soon as `signal` aborts, having left the queue. The abort listener is
   * removed either way.
   */
  wait(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter = new Waiter(this, signal, resolve, reject);
      const tail = this.#tail;
      if (tail === undefined) this.#head = waiter;
      else {
        tail.next = waiter;
        waiter.prev = tail;
      }
      this.#tail = waiter;
      this.#size++;
      if (isAbortable(signal)) signal.addEventListener('abort', waiter, { once: true });
    });
  }

  /** Hands a slot to the caller at the head. False when nobody waits. */
  grantNext(): boolean {
    const waiter = this.#head;
    if (waiter === undefined) return false;
    this.unlink(waiter);
    if (isAbortable(waiter.signal)) waiter.signal.removeEventListener('abort', waiter);
    waiter.resolve();
    return true;
  }

  /** @internal Removes `waiter` from wherever it is in the list. */
  unlink(waiter: Waiter): void {
    const { prev, next } = waiter;
    if (prev === undefined) this.#head = next;
    else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    waiter.prev = undefined;
    waiter.next = undefined;
    this.#size--;
  }
}
