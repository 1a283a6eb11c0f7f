import { Deadline, DeadlineQueue, TimeoutError, type Clock, type TimerHandle } from '@breakwater/core';

/**
 * One of a client's timeouts (the total deadline, or the attempt timeout) shared by all its
 * calls: a duration, the policy name its `TimeoutError` carries, and one `DeadlineQueue` that
 * every call links into. A call aborts its own controllers when its entry expires, instead of
 * running a `TimeoutPolicy` per layer: that cost a controller, a context, an async frame and an
 * abort listener linking the two layers' signals, on every request that never timed out.
 */
export class FetchTimeout {
  readonly duration: number;
  /** `<client>:timeout` or `<client>:attempt-timeout`, as `TimeoutError` messages name it. */
  readonly policy: string;
  readonly queue: DeadlineQueue;
  readonly clock: Clock;

  constructor(duration: number, policy: string, clock: Clock) {
    this.duration = duration;
    this.policy = policy;
    this.clock = clock;
    // Unref'd like AbortSignal.timeout(): an attempt in flight keeps the process alive by its
    // socket, and a deadline that kept it alive would hold a script open after its last call.
    this.queue = new DeadlineQueue(clock, duration, { keepsAlive: false });
  }

  error(): TimeoutError {
    return new TimeoutError(this.duration, { policy: this.policy });
  }
}

/** Timeouts by duration, so per-request overrides do not build a queue (and its timer) per call. */
export class TimeoutCache {
  readonly #byDuration = new Map<number, FetchTimeout>();
  readonly #clock: Clock;
  readonly #name: string;

  constructor(name: string, clock: Clock) {
    this.#name = name;
    this.#clock = clock;
  }

  get(duration: number, kind: 'timeout' | 'attempt-timeout'): FetchTimeout {
    const key = kind === 'timeout' ? duration : -duration;
    let found = this.#byDuration.get(key);
    if (found === undefined) {
      found = new FetchTimeout(duration, `${this.#name}:${kind}`, this.#clock);
      // Bounded: a caller computing a fresh deadline per request gets a fresh queue, not a leak.
      if (this.#byDuration.size < 32) this.#byDuration.set(key, found);
    }
    return found;
  }
}

/**
 * An attempt's own abort controller, aborted by its attempt timeout, the call's deadline, or
 * (for a hedge) its round's signal. It is the queue entry too: one object per attempt.
 */
export class AttemptAbort extends Deadline {
  readonly controller = new AbortController();
  readonly #timeout: FetchTimeout | undefined;
  /** Set when the attempt timeout passed. */
  timedOut: TimeoutError | undefined;

  /** `now`: a reading of the timeout's clock taken just before. */
  constructor(timeout: FetchTimeout | undefined, now: number) {
    super();
    this.#timeout = timeout;
    timeout?.queue.add(this, now);
  }

  expire(): void {
    const error = this.#timeout!.error();
    this.timedOut = error;
    this.controller.abort(error);
  }
}

/** Whoever a call deadline tells that it passed: the call, which aborts what it has in flight. */
export interface DeadlineOwner {
  deadlinePassed(error: TimeoutError): void;
}

/**
 * A call's total deadline: what tells the call when it passed. Armed with the full duration it is
 * an entry of the timeout's queue; armed late, with less time left than the queue's entries, it
 * would break the queue's order and takes a timer of its own (only calls that retry do that).
 */
export class CallDeadline extends Deadline {
  readonly #owner: DeadlineOwner;
  readonly #timeout: FetchTimeout;
  #timer: TimerHandle | undefined;

  /** Passes `ms` after `now` (a reading of the timeout's clock taken just before). */
  constructor(owner: DeadlineOwner, timeout: FetchTimeout, ms: number, now: number) {
    super();
    this.#owner = owner;
    this.#timeout = timeout;
    if (ms === timeout.duration) timeout.queue.add(this, now);
    else {
      const timer = (this.#timer = timeout.clock.setTimeout(() => this.expire(), ms));
      (timer as { unref?: () => void }).unref?.();
    }
  }

  expire(): void {
    this.#timer = undefined;
    this.#owner.deadlinePassed(this.#timeout.error());
  }

  override cancel(): void {
    if (this.#timer === undefined) super.cancel();
    else {
      this.#timeout.clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}
