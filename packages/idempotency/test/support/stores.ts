import type { IdempotencyStore } from '@breakwater/idempotency';

/** A store whose every method fails as a down Redis would, counting the calls it got. */
export function failingStore(error: Error = new Error('connection refused')): IdempotencyStore & { calls: string[] } {
  const calls: string[] = [];
  const fail = (name: string) => async (): Promise<never> => {
    calls.push(name);
    throw error;
  };
  return {
    calls,
    claim: fail('claim'),
    renew: fail('renew'),
    saveStep: fail('saveStep'),
    complete: fail('complete'),
    release: fail('release'),
    get: fail('get'),
  };
}

/** Wraps a store and makes the named methods fail (the others pass through). */
export function breakOn(store: IdempotencyStore, methods: readonly (keyof IdempotencyStore)[], error: Error = new Error('store down')): IdempotencyStore {
  const broken = { ...bound(store) };
  for (const method of methods) broken[method] = (async () => Promise.reject(error)) as never;
  return broken;
}

function bound(store: IdempotencyStore): IdempotencyStore {
  return {
    claim: store.claim.bind(store),
    renew: store.renew.bind(store),
    saveStep: store.saveStep.bind(store),
    complete: store.complete.bind(store),
    release: store.release.bind(store),
    get: store.get.bind(store),
  };
}
