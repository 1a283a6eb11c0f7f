import type { Disposable } from '@breakwater/core';
import { Binding, type Listen } from '../listen.ts';
import { circuitState, CIRCUIT_STATES, type CircuitStateLabel } from '../labels.ts';
import type { CounterCell } from '../cells.ts';
import type { RegistryFamilies } from '../registry-families.ts';
import { bindDurations, resolveBinding, type BindOptions } from './common.ts';

/**
 * What `bindCircuitBreaker()` needs: a Breakwater `circuitBreaker()` (`onStateChange` gives
 * `{ from, to }`, states are strings) or a cockatiel one (`onStateChange` gives the new numeric
 * state), by their events.
 */
export interface CircuitBreakerLike {
  readonly name?: string;
  /** Read at scrape time when present: a Breakwater state string or a cockatiel `CircuitState` number. */
  readonly state?: unknown;
  readonly onStateChange: Listen;
  readonly onRejected?: Listen;
  readonly onSuccess?: Listen;
  readonly onFailure?: Listen;
}

export function bindCircuitBreakerTo(families: RegistryFamilies, policy: CircuitBreakerLike, options?: BindOptions): Disposable {
  const name = resolveBinding('bindCircuitBreaker()', 'circuit-breaker', policy, ['onStateChange'], options);
  const binding = new Binding();
  const stateGauge = families.gauge('circuitState');
  const transitions = families.counter('circuitTransitions');
  const rejections = families.counter('circuitRejections');
  const statePolicy = stateGauge.state.policies.label(name);
  const transitionsPolicy = transitions.state.policies.label(name);
  const rejectionsPolicy = rejections.state.policies.label(name);

  // An open breaker rejects at the call rate: its cell is looked up once per state, not per call.
  const rejectedIn = new Map<CircuitStateLabel, CounterCell>();
  const rejectedCell = (state: CircuitStateLabel): CounterCell => {
    let cell = rejectedIn.get(state);
    if (cell === undefined) rejectedIn.set(state, (cell = rejections.metric.cell({ policy: rejectionsPolicy, state })));
    return cell;
  };

  // The last state seen, for cockatiel payloads (no `from`) and breakers without a `state` getter.
  let current: CircuitStateLabel = circuitState(policy.state) ?? 'closed';
  const now = (): CircuitStateLabel => circuitState(policy.state) ?? current;

  binding.listen(policy, 'onStateChange', (event: unknown) => {
    const change = typeof event === 'object' && event !== null ? (event as { from?: unknown; to?: unknown }) : undefined;
    const to = circuitState(change === undefined ? event : change.to);
    if (to === undefined) return;
    const from = circuitState(change?.from) ?? current;
    current = to;
    transitions.metric.inc({ policy: transitionsPolicy, from, to });
  });
  binding.listen(policy, 'onRejected', (event: unknown) => {
    const state = circuitState((event as { state?: unknown } | undefined)?.state) ?? now();
    rejectedCell(state).inc();
  });

  const source = () => {
    const state = now();
    return CIRCUIT_STATES.map((s) => [{ policy: statePolicy, state: s }, s === state ? 1 : 0] as const);
  };
  stateGauge.state.sources.add(source);
  binding.onDispose(() => stateGauge.state.sources.delete(source));
  bindDurations(binding, families, policy, name, 'circuit-breaker');
  return binding.toDisposable();
}
