import { assertKnownOptions, assertString, describeValue, invalidOption, withDefaults } from '@breakwater/core';
import type { HistogramCell } from '../cells.ts';
import type { Binding } from '../listen.ts';
import type { RegistryFamilies } from '../registry-families.ts';
import type { PolicyKind } from '../vocabulary.ts';

export interface BindOptions {
  /**
   * The `policy` label value. Keep it bounded: a policy name, never a key, IP or URL.
   * @default the policy's `name`, or its kind (`'retry'`, `'circuit-breaker'`, …) when it has none (cockatiel)
   */
  readonly name?: string;
}

/** Checks a binder's arguments; returns the `policy` label value before capping. */
export function resolveBinding(
  binder: string,
  kind: PolicyKind | 'cache' | 'idempotency' | 'health',
  policy: unknown,
  events: readonly string[],
  options: BindOptions | undefined,
): string {
  const hasEvent = policy !== null && typeof policy === 'object' && events.some((e) => typeof (policy as Record<string, unknown>)[e] === 'function');
  if (!hasEvent) {
    const wanted = events.map((e) => `${e}()`).join(' or ');
    const noun = kind === 'cache' || kind === 'health' || kind === 'idempotency' ? `${kind} object` : `${kind} policy`;
    throw invalidOption(`Expected the policy given to ${binder} to be a ${noun} with ${wanted}, got ${describeValue(policy)}`);
  }
  const config = withDefaults(binder, {}, options) as BindOptions;
  assertKnownOptions(binder, config, ['name']);
  if (config.name !== undefined) {
    assertString('name', config.name, { min: 1 });
    return config.name;
  }
  const own = (policy as { name?: unknown }).name;
  return typeof own === 'string' && own.length > 0 ? own : kind;
}

/** Observes `onSuccess`/`onFailure` durations (ms) in `policy_call_duration_seconds`. */
export function bindDurations(binding: Binding, families: RegistryFamilies, policy: object, name: string, kind: PolicyKind): void {
  const has = (event: string) => typeof (policy as Record<string, unknown>)[event] === 'function';
  if (!has('onSuccess') && !has('onFailure')) return;
  const durations = families.durations();
  const label = durations.state.policies.label(name);
  const success = durations.metric.cell({ policy: label, kind, outcome: 'success' });
  const failure = durations.metric.cell({ policy: label, kind, outcome: 'failure' });
  binding.listen(policy, 'onSuccess', (event: unknown) => observe(success, event));
  binding.listen(policy, 'onFailure', (event: unknown) => observe(failure, event));
}

function observe(cell: HistogramCell, event: unknown): void {
  const duration = (event as { duration?: unknown } | undefined)?.duration;
  if (typeof duration === 'number' && duration >= 0 && Number.isFinite(duration)) cell.observe(duration / 1000);
}

/** Reads a property that may be a getter, for gauges: a number, or undefined. */
export function readNumber(policy: object, key: string): number | undefined {
  const value = (policy as Record<string, unknown>)[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
