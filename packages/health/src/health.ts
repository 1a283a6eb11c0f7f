import { EventEmitter, invalidOption, type Clock, type Disposable, type Event } from '@breakwater/core';
import { assertKeyPart, toDefinition, type HealthCheck } from './check.ts';
import { CheckRunner } from './check-runner.ts';
import { EventLoopLag } from './event-loop-lag.ts';
import type { CheckEvent } from './events.ts';
import { resolveHealthOptions, resolveRegisterOptions, type CheckProbe, type EventLoopLagOptions, type HealthOptions, type RegisterOptions } from './health-options.ts';
import type { CheckResult, HealthReport, Probe } from './report.ts';
import { worse, type HealthStatus } from './status.ts';

/** `starting` until `markStarted()`, `started`, then `shutting-down` once `markShuttingDown()` ran. */
export type LifecycleState = 'starting' | 'started' | 'shutting-down';

/** The report key of the liveness probe's lag reading. */
export const EVENT_LOOP_KEY = 'eventLoop:delay';
/** The report key of the readiness and startup probes' lifecycle reading. */
export const LIFECYCLE_KEY = 'lifecycle';

/** What the HTTP adapters need from a health object: `createHealth()` fits, and so does a stand-in. */
export type HealthProbes = Pick<Health, 'live' | 'ready' | 'startup' | 'exposeDetails'>;

interface Registered {
  readonly runner: CheckRunner;
  readonly probes: readonly CheckProbe[];
}

/** Liveness, readiness and startup probes over registered checks; see {@link createHealth}. */
export class Health {
  /** The default of the adapters' `exposeDetails`. */
  readonly exposeDetails: boolean;
  readonly #clock: Clock;
  readonly #cacheMs: number;
  readonly #timeoutMs: number;
  readonly #lagThresholds: Required<EventLoopLagOptions> | false;
  readonly #lag: EventLoopLag | undefined;
  readonly #checks = new Map<string, Registered>();
  readonly #onCheck = new EventEmitter<CheckEvent>();
  #state: LifecycleState = 'starting';

  /** Fires each time a registered check runs (not for cached readings): `{ check, status, durationMs }`. */
  readonly onCheck: Event<CheckEvent> = this.#onCheck.event;

  constructor(options?: HealthOptions) {
    const config = resolveHealthOptions(options);
    this.exposeDetails = config.exposeDetails;
    this.#clock = config.clock;
    this.#cacheMs = config.cacheMs;
    this.#timeoutMs = config.timeoutMs;
    this.#lagThresholds = config.eventLoopLag;
    this.#lag = config.eventLoopLag === false ? undefined : new EventLoopLag(config.clock, config.eventLoopLag.intervalMs);
  }

  get state(): LifecycleState {
    return this.#state;
  }

  /** Names of the registered checks, in registration order. */
  get checks(): readonly string[] {
    return [...this.#checks.keys()];
  }

  /**
   * Registers a check under a unique `name` (1–64 printable characters, no `:`). It runs
   * concurrently with the others, bounded by its timeout, for the probes in `probes`. The
   * returned disposable removes it.
   *
   * @example
   * health.register('redis', redisCheck(redis), { timeoutMs: 300 });
   * health.register('payments', async ({ signal }) => (await fetch(url, { signal })).ok, { critical: false });
   */
  register(name: string, check: HealthCheck, options?: RegisterOptions): Disposable {
    assertKeyPart('`name`', name);
    if (this.#checks.has(name)) throw invalidOption(`A check named "${name}" is already registered`);
    const definition = toDefinition(name, check);
    const { timeoutMs, critical, probes } = resolveRegisterOptions(options, this.#timeoutMs);
    const emitter = this.#onCheck;
    const runner = new CheckRunner({
      name,
      definition,
      timeoutMs,
      cacheMs: this.#cacheMs,
      critical,
      clock: this.#clock,
      emit: (event) => {
        if (emitter.hasListeners) emitter.emit(event);
      },
    });
    const entry: Registered = { runner, probes };
    this.#checks.set(name, entry);
    const dispose = (): void => {
      if (this.#checks.get(name) === entry) this.#checks.delete(name);
    };
    return { dispose, [Symbol.dispose]: dispose };
  }

  /** Marks startup complete: readiness and startup run their checks from now on (they fail before). */
  markStarted(): void {
    if (this.#state === 'starting') this.#state = 'started';
  }

  /** Readiness and startup fail from now on, without running checks; liveness is unaffected. `gracefulShutdown` calls it. */
  markShuttingDown(): void {
    this.#state = 'shutting-down';
  }

  /** The process alone: event-loop lag, never a dependency. */
  live(): Promise<HealthReport> {
    const checks: Record<string, readonly CheckResult[]> = {};
    let status: HealthStatus = 'pass';
    if (this.#lag !== undefined && this.#lagThresholds !== false) {
      const lagMs = this.#lag.lagMs;
      const { warnMs, failMs } = this.#lagThresholds;
      const lagStatus: HealthStatus = lagMs >= failMs ? 'fail' : lagMs >= warnMs ? 'warn' : 'pass';
      checks[EVENT_LOOP_KEY] = [
        {
          status: lagStatus,
          componentType: 'system',
          observedValue: Math.round(lagMs),
          observedUnit: 'ms',
          time: this.#now(),
          ...(lagStatus === 'pass' ? {} : { output: `event loop lag ${Math.round(lagMs)}ms is at or above ${lagStatus === 'fail' ? failMs : warnMs}ms` }),
          critical: true,
        },
      ];
      status = lagStatus;
    }
    return Promise.resolve({ probe: 'liveness', status, checks });
  }

  /** The checks registered for readiness, once started and until shutdown. */
  ready(): Promise<HealthReport> {
    return this.#probe('readiness');
  }

  /** The checks registered for startup, once `markStarted()` was called. */
  startup(): Promise<HealthReport> {
    return this.#probe('startup');
  }

  /** Stops the lag sampler. Registered checks are left alone (they own nothing). */
  close(): void {
    this.#lag?.close();
  }

  async #probe(probe: Exclude<Probe, 'liveness'>): Promise<HealthReport> {
    if (this.#state !== 'started') {
      const output = this.#state === 'starting' ? 'starting: markStarted() has not been called' : 'shutting down';
      const result: CheckResult = { status: 'fail', componentType: 'system', time: this.#now(), output, critical: true };
      return { probe, status: 'fail', checks: { [LIFECYCLE_KEY]: [result] } };
    }
    const runners = [...this.#checks.values()].filter((entry) => entry.probes.includes(probe)).map((entry) => entry.runner);
    const results = await Promise.all(runners.map((runner) => runner.evaluate()));
    const checks: Record<string, readonly CheckResult[]> = {};
    let status: HealthStatus = 'pass';
    results.forEach((result, index) => {
      checks[runners[index]!.key] = [result];
      // A non-critical failure is a concern, not an outage.
      status = worse(status, result.status === 'fail' && !result.critical ? 'warn' : result.status);
    });
    return { probe, status, checks };
  }

  #now(): string {
    return new Date(this.#clock.epochNow()).toISOString();
  }
}

/**
 * Liveness, readiness and startup probes. Register checks by name; each runs with its own
 * timeout, concurrently with the others, and its reading is cached for `cacheMs`. Liveness
 * looks at the process alone (event-loop lag). Readiness and startup fail until
 * `markStarted()` and again from `markShuttingDown()` (which `gracefulShutdown` calls).
 *
 * @example
 * const health = createHealth();
 * health.register('redis', redisCheck(redis));
 * health.register('orders-breaker', breakerCheck(ordersBreaker, { whenOpen: 'warn' }));
 * app.use(healthRoutes(health));
 * server.listen(3000, () => health.markStarted());
 */
export function createHealth(options?: HealthOptions): Health {
  return new Health(options);
}
