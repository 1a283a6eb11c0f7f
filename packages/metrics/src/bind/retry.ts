import type { Disposable } from '@breakwater/core';
import { Binding, type Listen } from '../listen.ts';
import { closedLabel, GIVE_UP_REASONS } from '../labels.ts';
import type { RegistryFamilies } from '../registry-families.ts';
import { bindDurations, resolveBinding, type BindOptions } from './common.ts';

/** What `bindRetry()` needs: a Breakwater `retry()` or a cockatiel `retry()`, by their events. */
export interface RetryLike {
  readonly name?: string;
  readonly onRetry: Listen;
  readonly onGiveUp?: Listen;
  readonly onSuccess?: Listen;
  readonly onFailure?: Listen;
}

export function bindRetryTo(families: RegistryFamilies, policy: RetryLike, options?: BindOptions): Disposable {
  const name = resolveBinding('bindRetry()', 'retry', policy, ['onRetry'], options);
  const binding = new Binding();
  const attempts = families.counter('retryAttempts');
  const giveUps = families.counter('retryGiveUps');
  const attemptsPolicy = attempts.state.policies.label(name);
  const giveUpsPolicy = giveUps.state.policies.label(name);
  const retried = attempts.metric.cell({ policy: attemptsPolicy, outcome: 'retry' });
  const succeeded = attempts.metric.cell({ policy: attemptsPolicy, outcome: 'success' });

  binding.listen(policy, 'onRetry', () => retried.inc());
  binding.listen(policy, 'onSuccess', () => succeeded.inc());
  binding.listen(policy, 'onGiveUp', (event: unknown) => {
    // cockatiel's payload has no reason: it gives up only when its attempts run out.
    const given = (event as { reason?: unknown } | undefined)?.reason;
    const reason = given === undefined ? 'exhausted' : closedLabel(given, GIVE_UP_REASONS, 'unknown');
    attempts.metric.inc({ policy: attemptsPolicy, outcome: reason });
    giveUps.metric.inc({ policy: giveUpsPolicy, reason });
  });
  bindDurations(binding, families, policy, name, 'retry');
  return binding.toDisposable();
}
