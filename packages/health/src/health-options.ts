import {
  assertBoolean,
  assertDuration,
  assertKnownOptions,
  assertMethods,
  assertOneOf,
  describeValue,
  invalidOption,
  systemClock,
  withDefaults,
  type Clock,
} from '@breakwater/core';

/** Thresholds of the liveness probe's event-loop lag reading. */
export interface EventLoopLagOptions {
  /** Lag from which liveness warns, in ms. @default 200 */
  readonly warnMs?: number;
  /** Lag from which liveness fails (and Kubernetes restarts the container), in ms. ≥ `warnMs`. @default 1000 */
  readonly failMs?: number;
  /** How often the lag is sampled, in ms. Range 10–60000. @default 500 */
  readonly intervalMs?: number;
}

export interface HealthOptions {
  /**
   * How long a check's reading is reused, in ms, so probes from several load balancers and
   * kubelets do not turn into load on the dependencies. 0 runs checks on every probe (calls
   * still coalesce while one runs).
   * @default 1000
   */
  readonly cacheMs?: number;
  /**
   * Default per-check timeout in ms; keep it under the probe's `timeoutSeconds` (Kubernetes:
   * 1 s). Range 1–2147483647.
   * @default 500
   */
  readonly timeoutMs?: number;
  /**
   * Default of the adapters' `exposeDetails`: put error text, observed values and times in
   * responses. Only behind authentication.
   * @default false
   */
  readonly exposeDetails?: boolean;
  /** Time source for timeouts, caching and lag sampling. @default systemClock */
  readonly clock?: Clock;
  /** The liveness probe's event-loop lag thresholds, or `false` for a liveness probe with no check. @default { warnMs: 200, failMs: 1000, intervalMs: 500 } */
  readonly eventLoopLag?: EventLoopLagOptions | false;
}

export interface ResolvedHealthOptions {
  readonly cacheMs: number;
  readonly timeoutMs: number;
  readonly exposeDetails: boolean;
  readonly clock: Clock;
  readonly eventLoopLag: Required<EventLoopLagOptions> | false;
}

const DEFAULTS = { cacheMs: 1_000, timeoutMs: 500, exposeDetails: false, clock: systemClock, eventLoopLag: {} } as const;
const KNOWN = ['cacheMs', 'timeoutMs', 'exposeDetails', 'clock', 'eventLoopLag'] as const;
const LAG_DEFAULTS = { warnMs: 200, failMs: 1_000, intervalMs: 500 } as const;

export function resolveHealthOptions(options: HealthOptions | undefined): ResolvedHealthOptions {
  const config = withDefaults('createHealth()', DEFAULTS, options);
  assertKnownOptions('createHealth()', config, KNOWN);
  assertDuration('cacheMs', config.cacheMs);
  assertDuration('timeoutMs', config.timeoutMs, { min: 1 });
  assertBoolean('exposeDetails', config.exposeDetails);
  assertMethods('clock', config.clock, ['now', 'epochNow', 'setTimeout', 'clearTimeout']);
  return { ...config, eventLoopLag: resolveLag(config.eventLoopLag) };
}

function resolveLag(value: unknown): Required<EventLoopLagOptions> | false {
  if (value === false) return false;
  if (value === null || typeof value !== 'object') {
    throw invalidOption(`Expected \`eventLoopLag\` to be false or an object, got ${describeValue(value)}`);
  }
  const lag = withDefaults('eventLoopLag', LAG_DEFAULTS, value as EventLoopLagOptions);
  assertKnownOptions('eventLoopLag', lag, ['warnMs', 'failMs', 'intervalMs']);
  assertDuration('eventLoopLag.warnMs', lag.warnMs);
  assertDuration('eventLoopLag.failMs', lag.failMs, { min: lag.warnMs });
  assertDuration('eventLoopLag.intervalMs', lag.intervalMs, { min: 10, max: 60_000 });
  return lag;
}

/** Where a registered check is used. Liveness never runs registered checks. */
export type CheckProbe = 'readiness' | 'startup';

export interface RegisterOptions {
  /** This check's timeout in ms. Range 1–2147483647. @default the `timeoutMs` of createHealth() */
  readonly timeoutMs?: number;
  /** `false`: a failure makes the probe `warn` (still 200) instead of `fail`. @default true */
  readonly critical?: boolean;
  /** The probes that run this check. @default ['readiness', 'startup'] */
  readonly probes?: readonly CheckProbe[];
}

export interface ResolvedRegisterOptions {
  readonly timeoutMs: number;
  readonly critical: boolean;
  readonly probes: readonly CheckProbe[];
}

const REGISTER_KNOWN = ['timeoutMs', 'critical', 'probes'] as const;

export function resolveRegisterOptions(options: RegisterOptions | undefined, timeoutMs: number): ResolvedRegisterOptions {
  const config = withDefaults('health.register()', { timeoutMs, critical: true, probes: ['readiness', 'startup'] as readonly CheckProbe[] }, options);
  assertKnownOptions('health.register()', config, REGISTER_KNOWN);
  assertDuration('timeoutMs', config.timeoutMs, { min: 1 });
  assertBoolean('critical', config.critical);
  if (!Array.isArray(config.probes) || config.probes.length === 0) {
    throw invalidOption(`Expected \`probes\` to be a non-empty array of 'readiness' and 'startup', got ${describeValue(config.probes)}`);
  }
  for (const probe of config.probes) assertOneOf('probes[]', probe, ['readiness', 'startup'] as const);
  return { timeoutMs: config.timeoutMs, critical: config.critical, probes: [...new Set(config.probes)] };
}
