import type { Disposable } from '@breakwater/core';
import { closedLabel } from '../labels.ts';
import { Binding, type Listen } from '../listen.ts';
import type { RegistryFamilies } from '../registry-families.ts';
import { counterCells } from './cells-by.ts';
import { resolveBinding, type BindOptions } from './common.ts';

const OUTCOMES = ['executed', 'replayed', 'conflict', 'mismatch', 'invalid', 'unavailable', 'failed', 'released'] as const;
const LEASE_LOST_REASONS = ['rejected', 'unreachable', 'closed', 'max-hold'] as const;
const STORE_OPERATIONS = ['claim', 'renew', 'save-step', 'complete', 'release'] as const;

/** What `bindIdempotency()` needs: a @breakwater/idempotency object, by its events. */
export interface IdempotencyLike {
  readonly name?: string;
  readonly onOutcome: Listen;
  readonly onLeaseLost?: Listen;
  readonly onStoreError?: Listen;
}

export function bindIdempotencyTo(families: RegistryFamilies, idempotency: IdempotencyLike, options?: BindOptions): Disposable {
  const name = resolveBinding('bindIdempotency()', 'idempotency', idempotency, ['onOutcome'], options);
  const binding = new Binding();
  const requests = families.counter('idempotencyRequests');
  const leases = families.counter('idempotencyLeasesLost');
  const storeErrors = families.counter('idempotencyStoreErrors');

  const request = counterCells(requests.metric, { idempotency: requests.state.policies.label(name) });
  binding.listen(idempotency, 'onOutcome', (event: unknown) => {
    const outcome = closedLabel((event as { outcome?: unknown } | undefined)?.outcome, OUTCOMES, 'other');
    request({ outcome }, outcome).inc();
  });
  const lost = counterCells(leases.metric, { idempotency: leases.state.policies.label(name) });
  binding.listen(idempotency, 'onLeaseLost', (event: unknown) => {
    const reason = closedLabel((event as { reason?: unknown } | undefined)?.reason, LEASE_LOST_REASONS, 'other');
    lost({ reason }, reason).inc();
  });
  const storeError = counterCells(storeErrors.metric, { idempotency: storeErrors.state.policies.label(name) });
  binding.listen(idempotency, 'onStoreError', (event: unknown) => {
    const operation = closedLabel((event as { operation?: unknown } | undefined)?.operation, STORE_OPERATIONS, 'other');
    storeError({ operation }, operation).inc();
  });
  return binding.toDisposable();
}
