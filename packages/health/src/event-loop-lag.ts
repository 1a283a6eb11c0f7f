import type { Clock, TimerHandle } from '@breakwater/core';

/** How many recent samples the reported lag covers (the worst of them is reported). */
export const LAG_SAMPLES = 10;

/**
 * Measures event-loop lag with the injected clock: a timer due every `intervalMs` records how
 * late it fired. The worst of the last {@link LAG_SAMPLES} samples is reported, so a stall
 * between two probes is still seen by the next one. Clock-driven rather than
 * `monitorEventLoopDelay`, so tests can drive it; the timer is unref'd and `close()` stops it.
 */
export class EventLoopLag {
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #samples: number[] = [];
  #next = 0;
  #due = 0;
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(clock: Clock, intervalMs: number) {
    this.#clock = clock;
    this.#intervalMs = intervalMs;
    this.#schedule();
  }

  /** The worst lag of the recent samples, in ms; 0 before the first sample. */
  get lagMs(): number {
    let worst = 0;
    for (const sample of this.#samples) if (sample > worst) worst = sample;
    return worst;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    this.#due = this.#clock.now() + this.#intervalMs;
    const timer = this.#clock.setTimeout(this.#tick, this.#intervalMs);
    // A probe helper must never keep the process alive on its own.
    (timer as { unref?: () => void } | undefined)?.unref?.();
    this.#timer = timer;
  }

  readonly #tick = (): void => {
    if (this.#closed) return;
    const lag = Math.max(0, this.#clock.now() - this.#due);
    this.#samples[this.#next] = lag;
    this.#next = (this.#next + 1) % LAG_SAMPLES;
    this.#schedule();
  };
}
