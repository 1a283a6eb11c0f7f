import { LatencyHistogram } from './latency-histogram.ts';

/** What one request came to, as the scenario names it (`'ok'`, `'429'`, `'replayed'`, …). */
export type Outcome = string;

export interface LoadOptions {
  /** Requests started per second (open loop: a slow server does not slow the sender down). */
  readonly rate: number;
  /** Requests in flight at most; past it a due request is counted `client-overload`, not sent. */
  readonly maxInFlight: number;
  /** How long to send, in ms. */
  readonly durationMs: number;
  /** Sends request number `n` and names its outcome; a throw counts as `error:<message>`. */
  readonly send: (n: number) => Promise<Outcome>;
  /** Called with every outcome as it lands (phase accounting, live counters). */
  readonly onOutcome?: (outcome: Outcome, ms: number) => void;
  /** Pacing tick, in ms. @default 10 */
  readonly tickMs?: number;
  /** Time source, in ms (tests pass a virtual one). @default performance.now */
  readonly now?: () => number;
  /** Waits one tick (tests pass one that moves their virtual time). @default a setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface LoadResult {
  readonly sent: number;
  readonly outcomes: ReadonlyMap<Outcome, number>;
  readonly latency: LatencyHistogram;
  readonly elapsedMs: number;
}

/**
 * Sends requests at a steady rate for a bounded time, then waits for the ones in flight. Every
 * request due is accounted for exactly once: in its outcome, or as `client-overload` when the
 * in-flight cap held it back.
 */
export async function generateLoad(options: LoadOptions): Promise<LoadResult> {
  const { rate, maxInFlight, durationMs, send, onOutcome, tickMs = 10 } = options;
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const outcomes = new Map<Outcome, number>();
  const latency = new LatencyHistogram();
  const count = (outcome: Outcome): void => void outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  const inFlight = new Set<Promise<void>>();
  const started = now();
  let due = 0;

  const fire = (n: number): void => {
    const t0 = now();
    const request = send(n)
      .catch((error: unknown) => `error:${error instanceof Error ? error.message : String(error)}`)
      .then((outcome) => {
        const ms = now() - t0;
        latency.record(ms);
        count(outcome);
        onOutcome?.(outcome, ms);
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };

  while (now() - started < durationMs) {
    const target = Math.floor(((now() - started) / 1_000) * rate);
    while (due < target) {
      if (inFlight.size < maxInFlight) fire(due);
      else {
        count('client-overload');
        onOutcome?.('client-overload', 0);
      }
      due++;
    }
    await sleep(tickMs);
  }
  while (inFlight.size > 0) await Promise.race(inFlight);
  return { sent: due, outcomes, latency, elapsedMs: now() - started };
}
