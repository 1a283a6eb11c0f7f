import type { Disposable } from '@breakwater/core';
import { Binding, type Listen } from '../listen.ts';
import type { RegistryFamilies } from '../registry-families.ts';
import { bindDurations, resolveBinding, type BindOptions } from './common.ts';

/** What `bindFallback()` needs: core's `fallback()`, by its `onFallback` event. */
export interface FallbackLike {
  readonly name?: string;
  readonly onFallback: Listen;
  readonly onSuccess?: Listen;
  readonly onFailure?: Listen;
}

export function bindFallbackTo(families: RegistryFamilies, policy: FallbackLike, options?: BindOptions): Disposable {
  const name = resolveBinding('bindFallback()', 'fallback', policy, ['onFallback'], options);
  const binding = new Binding();
  const fallbacks = families.counter('fallbacks');
  const fellBack = fallbacks.metric.cell({ policy: fallbacks.state.policies.label(name) });
  binding.listen(policy, 'onFallback', () => fellBack.inc());
  bindDurations(binding, families, policy, name, 'fallback');
  return binding.toDisposable();
}
