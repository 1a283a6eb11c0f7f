import type { Disposable } from '@breakwater/core';
import { Binding, type Listen } from '../listen.ts';
import type { RegistryFamilies } from '../registry-families.ts';
import { bindDurations, resolveBinding, type BindOptions } from './common.ts';

/** What `bindTimeout()` needs: core's `timeout()` or cockatiel's, by its `onTimeout` event. */
export interface TimeoutLike {
  readonly name?: string;
  readonly onTimeout: Listen;
  readonly onSuccess?: Listen;
  readonly onFailure?: Listen;
}

export function bindTimeoutTo(families: RegistryFamilies, policy: TimeoutLike, options?: BindOptions): Disposable {
  const name = resolveBinding('bindTimeout()', 'timeout', policy, ['onTimeout'], options);
  const binding = new Binding();
  const timeouts = families.counter('timeouts');
  // The cell exists from binding on, so the series reads 0 before the first timeout.
  const timedOut = timeouts.metric.cell({ policy: timeouts.state.policies.label(name) });
  binding.listen(policy, 'onTimeout', () => timedOut.inc());
  bindDurations(binding, families, policy, name, 'timeout');
  return binding.toDisposable();
}
