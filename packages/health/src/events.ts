import type { HealthStatus } from './status.ts';

/** Emitted by `health.onCheck` each time a check actually runs (a cached reading emits nothing). */
export interface CheckEvent {
  /** The registered name: bounded, safe as a metrics label. */
  readonly check: string;
  readonly status: HealthStatus;
  /** How long the check ran; the timeout when it timed out. */
  readonly durationMs: number;
}

/**
 * The steps of a graceful shutdown, in order:
 * `started` (readiness fails from here on), `draining` (servers stop accepting),
 * `drain-timeout` (in-flight requests were cut off), `drained`, then one `resource-closed` or
 * `resource-failed` per resource, and `exit`. `deadline` replaces whatever was left when the
 * overall deadline passes; `exit` follows it.
 */
export type ShutdownPhase = 'started' | 'draining' | 'drain-timeout' | 'drained' | 'resource-closed' | 'resource-failed' | 'deadline' | 'exit';

/** Emitted by `onShutdown` at each {@link ShutdownPhase}. */
export interface ShutdownEvent {
  readonly phase: ShutdownPhase;
  /** Milliseconds since the shutdown started. */
  readonly elapsedMs: number;
  /** `started`: the signal name, or the reason given to `shutdown(reason)`. */
  readonly reason?: string;
  /** `resource-closed` / `resource-failed`: the resource's registered name. */
  readonly resource?: string;
  /** `resource-failed`: what its `close()` threw. */
  readonly error?: unknown;
  /** `exit`: the code passed to `exit`. */
  readonly exitCode?: number;
}
