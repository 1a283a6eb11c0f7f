import type { Clock, TimerHandle } from './clock.ts';

/** A pending deadline; `expire` runs once if the deadline passes before `cancel()`. */
export interface Deadline {
  cancel(): void;
}

class Entry implements Deadline {
  prev: Entry | undefined;
  next: Entry | undefined;
  queued = true;
  readonly at: number;
  readonly expire: () => void;
  readonly #queue: DeadlineQueue;

  constructor(queue: DeadlineQueue, at: number, expire: () => void) {
    this.#queue = queue;
    this.at = at;
    this.expire = expire;
  }

  cancel(): void {
    if (this.queued) this.#queue.remove(this);
  }
}

/**
 * Deadlines of one fixed duration, served by a single timer. Setting and clearing a Node timer
 * per call rebuilds the runtime's timer list each time (≈0.4 µs, most of a timeout's cost);
 * here a call costs a clock read and a list link. Because every deadline is `now + duration`,
 * insertion order is deadline order, so the queue is a plain FIFO.
 *
 * When the queue empties, the timer is not cleared but unref'd: it can no longer keep the
 * process alive, and it ends by itself at most `duration` later, finding nothing to expire.
 * A later call re-refs it instead of creating a new one.
 */
export class DeadlineQueue {
  readonly #clock: Clock;
  readonly #duration: number;
  #head: Entry | undefined;
  #tail: Entry | undefined;
  #timer: TimerHandle | undefined;
  #timerRefed = false;

  constructor(clock: Clock, duration: number) {
    this.#clock = clock;
    this.#duration = duration;
  }

  /** Schedules `expire` for `duration` ms from now. */
  add(expire: () => void): Deadline {
    const entry = new Entry(this, this.#clock.now() + this.#duration, expire);
    const tail = this.#tail;
    if (tail === undefined) this.#head = entry;
    else {
      tail.next = entry;
      entry.prev = tail;
    }
    this.#tail = entry;
    if (this.#timer === undefined) this.#arm(this.#duration);
    else if (!this.#timerRefed) this.#setRef(true);
    return entry;
  }

  /** Unlinks an entry; called by `Deadline.cancel()`. */
  remove(entry: Entry): void {
    entry.queued = false;
    const { prev, next } = entry;
    if (prev === undefined) this.#head = next;
    else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    entry.prev = entry.next = undefined;
    if (this.#head === undefined && this.#timer !== undefined) this.#setRef(false);
  }

  #arm(ms: number): void {
    this.#timer = this.#clock.setTimeout(() => this.#fire(), ms);
    this.#timerRefed = true;
  }

  #setRef(ref: boolean): void {
    this.#timerRefed = ref;
    const timer = this.#timer as { ref?: () => void; unref?: () => void };
    if (ref) timer.ref?.();
    else timer.unref?.();
  }

  #fire(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    // Re-read the head each time: an expiry's abort listeners run synchronously and may settle
    // or start other calls, changing the list under us.
    let entry: Entry | undefined;
    while ((entry = this.#head) !== undefined && entry.at <= now) {
      this.remove(entry);
      entry.expire();
    }
    // The timer may have been armed for an earlier head that has since settled.
    if (this.#head !== undefined && this.#timer === undefined) this.#arm(Math.max(1, Math.ceil(this.#head.at - now)));
  }
}
