import type { HealthStatus } from './status.ts';

/** Which probe a report answers. */
export type Probe = 'liveness' | 'readiness' | 'startup';

/**
 * One reading of one check, in the draft's "component details" shape. `output` holds error
 * text and is left out of public responses (see `toHealthResponse`).
 */
export interface CheckResult {
  readonly status: HealthStatus;
  /** `datastore`, `component` or `system` (the draft's values), when the check says. */
  readonly componentType?: string;
  readonly observedValue?: unknown;
  readonly observedUnit?: string;
  /** When the reading was taken, ISO 8601. A cached reading keeps its original time. */
  readonly time: string;
  /** Why the check failed or warned: error text, which only detailed responses carry. */
  readonly output?: string;
  /** False for a check registered with `critical: false`: its failure only makes the probe warn. */
  readonly critical: boolean;
}

/** What `health.live()`, `health.ready()` and `health.startup()` resolve to. */
export interface HealthReport {
  readonly probe: Probe;
  readonly status: HealthStatus;
  /** Keyed `"name:measurement"` (or `"name"` for a check without a measurement), one reading each. */
  readonly checks: Readonly<Record<string, readonly CheckResult[]>>;
}
