import {
  assertDuration,
  assertFunction,
  assertKnownOptions,
  assertMethods,
  assertOneOf,
  assertString,
  describeValue,
  invalidOption,
  systemClock,
  withDefaults,
  type Clock,
} from '@breakwater/core';
import type { DrainableServer } from './drain.ts';

/** Something to close on shutdown: a Redis client (`() => redis.quit()`), a write-behind cache, a pool. */
export interface ShutdownResource {
  /** For events and logs; keep it bounded. */
  readonly name: string;
  /** Resolves once the resource released everything (flushed, quit). */
  close(): unknown;
}

/** What `gracefulShutdown` needs from a health object: `createHealth()` fits. */
export interface ShutdownHealth {
  markShuttingDown(): void;
}

/** Signals `gracefulShutdown` may listen to. */
export type ShutdownSignal = 'SIGTERM' | 'SIGINT' | 'SIGHUP' | 'SIGQUIT' | 'SIGUSR2' | 'SIGBREAK';
const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGBREAK'] as const satisfies readonly ShutdownSignal[];

export interface GracefulShutdownOptions {
  /** HTTP(S) servers to drain (Fastify: `app.server`). @default [] */
  readonly servers?: readonly DrainableServer[];
  /** Its readiness fails the moment shutdown starts; liveness is untouched. @default undefined */
  readonly health?: ShutdownHealth;
  /**
   * How long the servers keep serving after readiness fails, in ms, so load balancers and
   * Kubernetes endpoints stop sending traffic first (lightship's `shutdownDelay`). About one
   * readiness `periodSeconds`.
   * @default 5_000
   */
  readonly readinessDelayMs?: number;
  /** How long in-flight requests may take to finish once the servers stop accepting, in ms; the rest are cut. @default 10_000 */
  readonly drainTimeoutMs?: number;
  /**
   * The whole shutdown, from the signal to exit, in ms; when it passes every connection is
   * dropped and the process exits 1. Keep it under Kubernetes' `terminationGracePeriodSeconds`
   * (30 s) and above `readinessDelayMs + drainTimeoutMs`.
   * @default 25_000
   */
  readonly deadlineMs?: number;
  /** Signals that start the shutdown. Repeated signals while it runs are ignored. @default ['SIGTERM', 'SIGINT'] */
  readonly signals?: readonly ShutdownSignal[];
  /** Closed one at a time in reverse order (the last registered first: a cache before the Redis client it writes to). @default [] */
  readonly resources?: readonly ShutdownResource[];
  /** Ends the process. @default (code) => process.exit(code) */
  readonly exit?: (code: number) => void;
  /** Time source for the delay, the drain timeout and the deadline. @default systemClock */
  readonly clock?: Clock;
}

export interface ResolvedShutdownOptions {
  readonly servers: readonly DrainableServer[];
  readonly health: ShutdownHealth | undefined;
  readonly readinessDelayMs: number;
  readonly drainTimeoutMs: number;
  readonly deadlineMs: number;
  readonly signals: readonly ShutdownSignal[];
  readonly resources: readonly ShutdownResource[];
  readonly exit: (code: number) => void;
  readonly clock: Clock;
}

const DEFAULTS = {
  servers: [] as readonly DrainableServer[],
  readinessDelayMs: 5_000,
  drainTimeoutMs: 10_000,
  deadlineMs: 25_000,
  signals: ['SIGTERM', 'SIGINT'] as readonly ShutdownSignal[],
  resources: [] as readonly ShutdownResource[],
  exit: (code: number): void => process.exit(code),
  clock: systemClock,
};
const KNOWN = ['servers', 'health', 'readinessDelayMs', 'drainTimeoutMs', 'deadlineMs', 'signals', 'resources', 'exit', 'clock'] as const;

export function resolveShutdownOptions(options: GracefulShutdownOptions | undefined): ResolvedShutdownOptions {
  const config = withDefaults('gracefulShutdown()', DEFAULTS, options);
  assertKnownOptions('gracefulShutdown()', config, KNOWN);
  assertArray('servers', config.servers);
  config.servers.forEach((server, index) =>
    assertMethods(`servers[${index}]`, server, ['close', 'closeIdleConnections', 'closeAllConnections', 'on', 'off']),
  );
  if (config.health !== undefined) assertMethods('health', config.health, ['markShuttingDown']);
  assertDuration('readinessDelayMs', config.readinessDelayMs);
  assertDuration('drainTimeoutMs', config.drainTimeoutMs, { min: 1 });
  assertDuration('deadlineMs', config.deadlineMs, { min: 1 });
  if (config.readinessDelayMs + config.drainTimeoutMs >= config.deadlineMs) {
    throw invalidOption(
      `Expected \`deadlineMs\` to be above readinessDelayMs + drainTimeoutMs (${config.readinessDelayMs + config.drainTimeoutMs}), ` +
        `so resources get time to close, got ${describeValue(config.deadlineMs)}`,
      'range',
    );
  }
  assertArray('signals', config.signals);
  config.signals.forEach((signal, index) => assertOneOf(`signals[${index}]`, signal, SIGNALS));
  assertArray('resources', config.resources);
  config.resources.forEach((resource, index) => {
    if (resource === null || typeof resource !== 'object') {
      throw invalidOption(`Expected \`resources[${index}]\` to be an object with \`name\` and \`close()\`, got ${describeValue(resource)}`);
    }
    assertString(`resources[${index}].name`, resource.name, { min: 1 });
    assertFunction(`resources[${index}].close`, resource.close);
  });
  assertFunction('exit', config.exit);
  assertMethods('clock', config.clock, ['now', 'setTimeout', 'clearTimeout']);
  return { ...config, health: config.health, signals: [...new Set(config.signals)] };
}

function assertArray(name: string, value: unknown): asserts value is readonly unknown[] {
  if (!Array.isArray(value)) throw invalidOption(`Expected \`${name}\` to be an array, got ${describeValue(value)}`);
}
