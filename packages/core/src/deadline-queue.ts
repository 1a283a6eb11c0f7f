import type { Clock, TimerHandle } from './clock.ts';

/**
 * A deadline in a {@link DeadlineQueue}. Subclass it with the per-call state and an `expire()`
 * method: one object per call, instead of an entry plus a callback closure.
 */
export abstract class Deadline {
  prev: Deadline | undefined;
  next: Deadline | undefined;
  queue: DeadlineQueue | undefined;
  at = 0;

  /** Runs once if the deadline passes before `cancel()`. */
  abstract expire(): void;

  /** Leaves the queue; safe to call more than once, and after expiry. */
  cancel(): void {
    this.queue?.remove(this);
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
  readonly #keepsAlive: boolean;
  #head: Deadline | undefined;
  #tail: Deadline | undefined;
  #timer: TimerHandle | undefined;
  #timerRefed = false;
  #released = false;

  /**
   * `keepsAlive: false` leaves the timer unref'd even while deadlines are pending, as
   * `AbortSignal.timeout()` does: for work that keeps the process alive by itself (a socket in
   * flight), this spares a ref and an unref of the timer each time the queue fills and empties.
   */
  constructor(clock: Clock, duration: number, options?: { readonly keepsAlive?: boolean }) {
    this.#clock = clock;
    this.#duration = duration;
    this.#keepsAlive = options?.keepsAlive ?? true;
  }

  /** Schedules `deadline.expire()` for `duration` ms after `now` (a reading of this queue's clock taken just before). */
  add(deadline: Deadline, now: number = this.#clock.now()): void {
    deadline.at = now + this.#duration;
    deadline.queue = this;
    const tail = this.#tail;
    if (tail === undefined) this.#head = deadline;
    else {
      tail.next = deadline;
      deadline.prev = tail;
    }
    this.#tail = deadline;
    if (this.#timer === undefined) this.#arm(this.#duration);
    else if (!this.#timerRefed && this.#keepsAlive) this.#setRef(true);
  }

  /** Unlinks a deadline; called by `Deadline.cancel()`. */
  remove(deadline: Deadline): void {
    deadline.queue = undefined;
    const { prev, next } = deadline;
    if (prev === undefined) this.#head = next;
    else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    deadline.prev = deadline.next = undefined;
    if (this.#head === undefined && this.#timer !== undefined) {
      if (this.#released) this.#clear();
      else if (this.#timerRefed) this.#setRef(false);
    }
  }

  /**
   * For an owner closing down: from now on the timer is cleared, not unref'd, whenever no
   * deadline is pending (at once if none is), so nothing of the queue outlives the last one.
   */
  release(): void {
    this.#released = true;
    if (this.#head === undefined) this.#clear();
  }

  #clear(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerRefed = false;
  }

  #arm(ms: number): void {
    this.#timer = this.#clock.setTimeout(() => this.#fire(), ms);
    this.#timerRefed = true;
    if (!this.#keepsAlive) this.#setRef(false);
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
    let deadline: Deadline | undefined;
    while ((deadline = this.#head) !== undefined && deadline.at <= now) {
      this.remove(deadline);
      deadline.expire();
    }
    // The timer may have been armed for an earlier head that has since settled.
    if (this.#head !== undefined && this.#timer === undefined) this.#arm(Math.max(1, Math.ceil(this.#head.at - now)));
  }
}
