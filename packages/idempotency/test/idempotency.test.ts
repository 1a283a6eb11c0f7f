import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  idempotency,
  isIdempotencyConflictError,
  isIdempotencyLeaseLostError,
  isIdempotencyUnavailableError,
  IdempotencyNotStorableError,
  memoryStore,
  type Idempotency,
  type IdempotencyOptions,
  type IdempotencyOutcomeEvent,
  type IdempotencyStore,
  type JsonValue,
  type StoreErrorEvent,
} from '@breakwater/idempotency';
import { abortListenerCount, deferred, manualClock, watchProcessProblems } from 'breakwater-test-utils';
import { breakOn, failingStore } from './support/stores.ts';

let time: ReturnType<typeof manualClock>;
let store: IdempotencyStore;
let problems: ReturnType<typeof watchProcessProblems>;
const opened: Idempotency[] = [];

function make(options: Partial<IdempotencyOptions> = {}): Idempotency {
  const idem = idempotency({ store, clock: time.clock, leaseMs: 3_000, ...options });
  opened.push(idem);
  return idem;
}

function outcomesOf(idem: Idempotency): IdempotencyOutcomeEvent[] {
  const events: IdempotencyOutcomeEvent[] = [];
  idem.onOutcome((event) => events.push(event));
  return events;
}

/** The store's methods, bound, to override some. */
function bound(base: IdempotencyStore): IdempotencyStore {
  return {
    claim: base.claim.bind(base),
    renew: base.renew.bind(base),
    saveStep: base.saveStep.bind(base),
    complete: base.complete.bind(base),
    release: base.release.bind(base),
    get: base.get.bind(base),
  };
}

/** Lets promise chains run (the memory store answers in microtasks). */
async function drain(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

beforeEach(() => {
  problems = watchProcessProblems();
  time = manualClock();
  store = memoryStore({ clock: time.clock });
});
afterEach(async () => {
  // close() waits up to one lease for handlers that never settle: let that time pass.
  let closed = false;
  const closing = Promise.all(opened.splice(0).map((idem) => idem.close())).then(() => void (closed = true));
  await drain();
  if (!closed) time.advance(60_000);
  await closing;
  const seen = problems.stop();
  expect(seen.unhandled).toEqual([]);
  expect(seen.warnings).toEqual([]);
});

describe('idempotency() options', () => {
  it('rejects bad options with messages naming the option, the range and the value', () => {
    expect(() => idempotency(undefined as never)).toThrow('Expected `store` to be an object with claim(), renew(), saveStep(), complete(), release(), get()');
    expect(() => idempotency({ store, leaseMs: 0 })).toThrow('Expected `leaseMs` to be a number from 3 to 2147483647, got `0` (number)');
    expect(() => idempotency({ store, leaseMs: 10_000, ttlMs: 5_000 })).toThrow('Expected `leaseMs` to be at most `ttlMs` (5000), got `10000` (number)');
    expect(() => idempotency({ store, ttlMs: -1 })).toThrow(RangeError);
    expect(() => idempotency({ store, waitMs: Number.NaN })).toThrow(RangeError);
    expect(() => idempotency({ store, maxRecordBytes: 0.5 })).toThrow('Expected `maxRecordBytes` to be an integer from 1 and up, got `0.5` (number)');
    expect(() => idempotency({ store, name: '' })).toThrow(RangeError);
    expect(() => idempotency({ store, leaseMS: 1 } as never)).toThrow('Unknown option `leaseMS` for idempotency()');
    expect(() => idempotency({ store, clock: { now: () => 0 } as never })).toThrow('Expected `clock` to be an object with now(), setTimeout(), clearTimeout()');
  });

  it('fills in the defaults', async () => {
    const idem = idempotency({ store: memoryStore() });
    expect(idem.name).toBe('idempotency');
    expect(await idem.run('k', 'fp', async () => 1)).toEqual({ value: 1, replayed: false });
    await idem.close();
  });

  it('checks run() arguments', async () => {
    const idem = make();
    await expect(idem.run('k', 42 as never, async () => 1)).rejects.toThrow('Expected `fingerprint` to be a string');
    await expect(idem.run('k', 'fp', 'nope' as never)).rejects.toThrow('Expected `fn` to be a function');
    await expect(idem.run('k', 'fp', async () => 1, { scope: 7 as never })).rejects.toThrow('Expected `scope` to be a string');
    await expect(idem.run('k', 'fp', async () => 1, { waitMs: -1 })).rejects.toThrow('Expected `waitMs` to be a number from 0');
    await expect(idem.run('k', 'fp', async () => 1, { signal: {} as never })).rejects.toThrow('Expected `signal` to be an AbortSignal');
    await expect(idem.run('k', 'fp', async () => 1, { shouldStore: true as never })).rejects.toThrow('Expected `shouldStore` to be a function');
  });
});

describe('run() outcomes and events', () => {
  it('emits one outcome per call, from a closed set, with no key or scope in it', async () => {
    const idem = make({ name: 'payments' });
    const events = outcomesOf(idem);
    const gate = deferred();
    const running = idem.run('key-secret', 'fp', async () => {
      time.advance(7);
      await gate.promise;
      return 'ok';
    }, { scope: 'tenant-secret' });
    await drain();
    await expect(idem.run('key-secret', 'fp', async () => 'dup', { scope: 'tenant-secret' })).rejects.toSatisfy(isIdempotencyConflictError);
    await expect(idem.run('key-secret', 'other', async () => 'x', { scope: 'tenant-secret' })).rejects.toThrow();
    gate.resolve();
    await running;
    await idem.run('key-secret', 'fp', async () => 'dup', { scope: 'tenant-secret' });
    await expect(idem.run('boom', 'fp', async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await idem.run('not-final', 'fp', async () => 503, { shouldStore: (v) => v < 500 });
    await expect(idem.run('', 'fp', async () => 1)).rejects.toThrow();
    await idem.close();
    await expect(idem.run('after-close', 'fp', async () => 1)).rejects.toSatisfy(isIdempotencyUnavailableError);

    expect(events.map((e) => e.reason === undefined ? e.outcome : `${e.outcome}:${e.reason}`)).toEqual([
      'conflict',
      'mismatch',
      'executed',
      'replayed',
      'failed',
      'released:not-final',
      'invalid',
      'unavailable',
    ]);
    expect(events[2]).toEqual({ name: 'payments', outcome: 'executed', durationMs: 7 });
    for (const event of events) {
      expect(Object.keys(event).sort()).toEqual(event.reason ? ['durationMs', 'name', 'outcome', 'reason'] : ['durationMs', 'name', 'outcome']);
      expect(JSON.stringify(event)).not.toMatch(/secret/);
    }
  });

  it('a listener that throws changes nothing (rethrown on nextTick)', async () => {
    const idem = make();
    idem.onOutcome(() => {
      throw new Error('listener bug');
    });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => void uncaught.push(error);
    // vitest reports an uncaught exception; catch it here to check it happened.
    process.prependListener('uncaughtException', onUncaught);
    try {
      expect(await idem.run('k', 'fp', async () => 1)).toEqual({ value: 1, replayed: false });
      await drain();
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([new Error('listener bug')]);
  });

  it('replays a copy: mutating a replayed value does not change the record', async () => {
    const idem = make();
    await idem.run('k', 'fp', async () => ({ items: [1] }));
    const first = await idem.run('k', 'fp', async () => ({ items: [] }));
    (first.value as { items: number[] }).items.push(2);
    expect((await idem.run('k', 'fp', async () => ({ items: [] }))).value).toEqual({ items: [1] });
  });

  it('a shouldStore that throws fails the call and releases the claim', async () => {
    const idem = make();
    const events = outcomesOf(idem);
    const bug = new Error('shouldStore bug');
    await expect(idem.run('k', 'fp', async () => 1, { shouldStore: () => { throw bug; } })).rejects.toBe(bug);
    expect(await idem.run('k', 'fp', async () => 2)).toEqual({ value: 2, replayed: false });
    expect(events.map((e) => e.outcome)).toEqual(['failed', 'executed']);
    expect(time.pending).toBe(0);
  });

  it('an outcome that is not JSON fails the call and releases the claim', async () => {
    const idem = make();
    const events = outcomesOf(idem);
    await expect(idem.run('k', 'fp', async () => undefined as unknown as JsonValue)).rejects.toThrow('The outcome must be a JSON value');
    await expect(idem.run('k', 'fp', async () => ({ n: 1n }) as unknown as JsonValue)).rejects.toThrow(TypeError);
    expect(await idem.run('k', 'fp', async () => 'fine')).toEqual({ value: 'fine', replayed: false });
    expect(events.map((e) => e.outcome)).toEqual(['failed', 'failed', 'executed']);
  });
});

describe('store outage: fail closed', () => {
  it('IdempotencyUnavailableError with retryAfterMs and the cause; fn never runs', async () => {
    const cause = new Error('ECONNREFUSED');
    const down = failingStore(cause);
    const idem = idempotency({ store: down, retryAfterMs: 5_000 });
    opened.push(idem);
    const storeErrors: StoreErrorEvent[] = [];
    idem.onStoreError((e) => storeErrors.push(e));
    let calls = 0;
    const error = await idem.run('k', 'fp', async () => ++calls).catch((e: unknown) => e);
    expect(isIdempotencyUnavailableError(error)).toBe(true);
    expect(error).toMatchObject({ retryAfterMs: 5_000, cause, code: 'ERR_BREAKWATER_IDEMPOTENCY_UNAVAILABLE' });
    expect(calls).toBe(0);
    expect(down.calls).toEqual(['claim']);
    expect(storeErrors).toEqual([{ name: 'idempotency', operation: 'claim', error: cause }]);
  });

  it('a store that fails only to complete: the caller still gets the value; the error is reported', async () => {
    store = breakOn(store, ['complete']);
    const idem = make();
    const storeErrors: string[] = [];
    idem.onStoreError((e) => storeErrors.push(e.operation));
    expect(await idem.run('k', 'fp', async () => 'done')).toEqual({ value: 'done', replayed: false });
    expect(storeErrors).toEqual(['complete']);
  });

  it('a store that fails to release after fn threw: fn\'s error wins, the store error is reported', async () => {
    store = breakOn(store, ['release']);
    const idem = make();
    const storeErrors: string[] = [];
    idem.onStoreError((e) => storeErrors.push(e.operation));
    await expect(idem.run('k', 'fp', async () => Promise.reject(new Error('handler')))).rejects.toThrow('handler');
    expect(storeErrors).toEqual(['release']);
  });
});

describe('caller signal (client disconnect)', () => {
  it('an aborted signal rejects before anything is claimed', async () => {
    const idem = make();
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(idem.run('k', 'fp', async () => 1, { signal: controller.signal })).rejects.toThrow('gone');
    expect(await idem.run('k', 'other-fp', async () => 2)).toEqual({ value: 2, replayed: false });
  });

  it('abort during a wait ends the wait at once, clears its timer and leaves no listener', async () => {
    const idem = make();
    const gate = deferred();
    const holder = idem.run('k', 'fp', async () => gate.promise.then(() => 'h'));
    await drain();
    const controller = new AbortController();
    const waiting = idem.run('k', 'fp', async () => 'w', { signal: controller.signal, waitMs: 60_000 });
    await drain();
    time.advance(100);
    await drain();
    controller.abort(new Error('client left'));
    await expect(waiting).rejects.toThrow('client left');
    expect(abortListenerCount(controller.signal)).toBe(0);
    gate.resolve();
    await holder;
    expect(time.pending).toBe(0);
  });

  it('abort while the claim is being granted: the claim is handed back, fn never runs', async () => {
    const granted = deferred();
    const slowClaim: IdempotencyStore = { ...store, claim: async (...args) => { await granted.promise; return store.claim(...args); } } as IdempotencyStore;
    for (const method of ['renew', 'saveStep', 'complete', 'release', 'get'] as const) (slowClaim as unknown as Record<string, unknown>)[method] = (store[method] as (...a: never[]) => unknown).bind(store);
    const idem = make({ store: slowClaim });
    const events = outcomesOf(idem);
    const controller = new AbortController();
    let calls = 0;
    const run = idem.run('k', 'fp', async () => ++calls, { signal: controller.signal });
    controller.abort(new Error('client left'));
    granted.resolve();
    await expect(run).rejects.toThrow('client left');
    expect(calls).toBe(0);
    expect(events.map((e) => [e.outcome, e.reason])).toEqual([['released', 'aborted']]);
    expect(await idem.run('k', 'fp', async () => 'next')).toEqual({ value: 'next', replayed: false });
  });

  it('abort while fn runs: fn finishes, its outcome is stored, nothing stays locked', async () => {
    const idem = make();
    const controller = new AbortController();
    const gate = deferred();
    let handlerSignal: AbortSignal | undefined;
    const run = idem.run('k', 'fp', async (context) => {
      handlerSignal = context.signal;
      await gate.promise;
      return 'charged';
    }, { signal: controller.signal });
    await drain();
    controller.abort(new Error('client left'));
    expect(handlerSignal?.aborted).toBe(false);
    gate.resolve();
    expect(await run).toEqual({ value: 'charged', replayed: false });
    expect(time.pending).toBe(0);
    expect(await idem.run('k', 'fp', async () => 'again')).toEqual({ value: 'charged', replayed: true });
  });
});

describe('lease renewal and close()', () => {
  it('renews every third of the lease and leaves no timer once fn settles', async () => {
    const renewals: number[] = [];
    const counting = { ...store, renew: async (id: string, owner: string, ms: number) => { renewals.push(time.clock.now()); return store.renew(id, owner, ms); } };
    for (const method of ['claim', 'saveStep', 'complete', 'release', 'get'] as const) (counting as unknown as Record<string, unknown>)[method] = (store[method] as (...a: never[]) => unknown).bind(store);
    const idem = make({ store: counting as IdempotencyStore, leaseMs: 3_000 });
    const gate = deferred();
    const run = idem.run('k', 'fp', async () => gate.promise.then(() => 1));
    await drain();
    for (let i = 0; i < 4; i++) {
      time.advance(1_000);
      await drain();
    }
    expect(renewals).toEqual([1_000, 2_000, 3_000, 4_000]);
    expect(time.pending).toBe(1);
    gate.resolve();
    await run;
    expect(time.pending).toBe(0);
  });

  it('renewal errors are retried while the lease lasts; then the claim is lost and the signal aborts', async () => {
    store = breakOn(store, ['renew']);
    const idem = make({ leaseMs: 3_000 });
    const lost: unknown[] = [];
    idem.onLeaseLost((e) => lost.push(e));
    let signal: AbortSignal | undefined;
    const gate = deferred();
    const run = idem.run('k', 'fp', async (context) => {
      signal = context.signal;
      await gate.promise;
      return 1;
    });
    await drain();
    for (let i = 0; i < 2; i++) {
      time.advance(1_000);
      await drain();
    }
    expect(lost).toEqual([]);
    time.advance(1_000);
    await drain();
    expect(lost).toEqual([{ name: 'idempotency', reason: 'unreachable' }]);
    expect(isIdempotencyLeaseLostError(signal?.reason)).toBe(true);
    expect(time.pending).toBe(0);
    gate.resolve();
    await run;
  });

  it('a renewal that never settles: the lease is declared lost at its end and the signal aborts before another caller can claim', async () => {
    const hung: IdempotencyStore = { ...bound(store), renew: () => new Promise<boolean>(() => {}) };
    const idem = make({ store: hung, leaseMs: 300 });
    const lost: unknown[] = [];
    idem.onLeaseLost((e) => lost.push(e));
    let signal: AbortSignal | undefined;
    const gate = deferred();
    const first = idem.run('k', 'fp', async (context) => {
      signal = context.signal;
      await gate.promise; // the handler takes 1 s
      return 'first';
    });
    await drain();
    time.advance(100); // the renewal goes out, and hangs
    await drain();
    time.advance(199);
    await drain();
    expect(lost).toEqual([]);
    expect(signal?.aborted).toBe(false);
    time.advance(1); // 300 ms: the lease ends with the renewal still pending
    expect(lost).toEqual([{ name: 'idempotency', reason: 'unreachable' }]);
    expect(isIdempotencyLeaseLostError(signal?.reason)).toBe(true);
    expect((signal?.reason as Error).cause).toBeInstanceOf(Error);
    expect(time.pending).toBe(0);
    time.advance(200); // 500 ms: a second caller claims the lapsed key
    await drain();
    expect(await idem.run('k', 'fp', async () => 'second')).toEqual({ value: 'second', replayed: false });
    time.advance(500);
    gate.resolve();
    // The first handler's late outcome does not overwrite the second's.
    expect(await first).toEqual({ value: 'first', replayed: false });
    expect(await idem.run('k', 'fp', async () => 'third')).toEqual({ value: 'second', replayed: true });
  });

  it('maxHoldMs: a hung handler gives its claim up; the key is free one lease later', async () => {
    const idem = make({ leaseMs: 3_000, maxHoldMs: 10_000 });
    const lost: unknown[] = [];
    idem.onLeaseLost((e) => lost.push(e));
    let signal: AbortSignal | undefined;
    void idem.run('k', 'fp', async (context) => {
      signal = context.signal;
      return new Promise<never>(() => {}); // hung for good
    });
    await drain();
    for (let t = 0; t < 10_000; t += 1_000) {
      time.advance(1_000);
      await drain();
    }
    expect(lost).toEqual([{ name: 'idempotency', reason: 'max-hold' }]);
    expect(signal?.reason).toMatchObject({ code: 'ERR_BREAKWATER_IDEMPOTENCY_LEASE_LOST', message: expect.stringContaining('`maxHoldMs` (10000ms)') });
    expect(time.pending).toBe(0);
    await expect(idem.run('k', 'fp', async () => 'too early')).rejects.toSatisfy(isIdempotencyConflictError);
    time.advance(3_000);
    expect(await idem.run('k', 'fp', async () => 'next')).toEqual({ value: 'next', replayed: false });
    expect(() => idempotency({ store, leaseMs: 5_000, maxHoldMs: 1_000 })).toThrow('Expected `maxHoldMs` to be a number from 5000 and up, got `1000` (number)');
  });

  it('close() aborts running handlers, stops their renewals, and refuses new calls', async () => {
    const idem = make();
    const lost: unknown[] = [];
    idem.onLeaseLost((e) => lost.push(e));
    let signal: AbortSignal | undefined;
    const run = idem.run('k', 'fp', async (context) => {
      signal = context.signal;
      await new Promise((_, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true }));
      return 1;
    });
    await drain();
    expect(idem.running).toBe(1);
    await idem.close();
    await expect(run).rejects.toSatisfy(isIdempotencyLeaseLostError);
    expect(signal?.aborted).toBe(true);
    expect(lost).toEqual([{ name: 'idempotency', reason: 'closed' }]);
    expect(idem.running).toBe(0);
    expect(time.pending).toBe(0);
    await expect(idem.run('k2', 'fp', async () => 1)).rejects.toSatisfy(isIdempotencyUnavailableError);
    await expect(idem.close()).resolves.toBeUndefined();
  });

  it('close() drains: it resolves only once running handlers settled and their claims were released', async () => {
    const releases: string[] = [];
    const watched: IdempotencyStore = { ...bound(store), release: async (id, owner) => { releases.push(id); return store.release(id, owner); } };
    const idem = make({ store: watched });
    const handlerDone = deferred();
    const run = idem.run('k', 'fp', async (context) => {
      // Honours its signal, but takes a moment to wind down.
      await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
      await handlerDone.promise;
      throw context.signal.reason;
    });
    run.catch(() => {});
    await drain();
    let closed = false;
    const closing = idem.close().then(() => void (closed = true));
    await drain();
    expect(closed).toBe(false);
    expect(releases).toEqual([]);
    handlerDone.resolve();
    await closing;
    expect(releases).toHaveLength(1);
    await expect(run).rejects.toSatisfy(isIdempotencyLeaseLostError);
    expect(idem.running).toBe(0);
    expect(time.pending).toBe(0);
    expect(idem.close()).toBe(idem.close());
    // The key was released: another object runs it.
    const other = make();
    expect(await other.run('k', 'fp', async () => 'next')).toEqual({ value: 'next', replayed: false });
  });

  it('close() wakes callers waiting for an in-flight key at once, and gives up on a hung handler after one lease', async () => {
    const idem = make({ leaseMs: 3_000 });
    void idem.run('held', 'fp', async () => new Promise<never>(() => {})).catch(() => {});
    await drain();
    const waiting = idem.run('held', 'fp', async () => 'w', { waitMs: 60_000 });
    await drain();
    let closed = false;
    const closing = idem.close().then(() => void (closed = true));
    // No time passes: the waiting caller is woken and rejects.
    await expect(waiting).rejects.toSatisfy(isIdempotencyUnavailableError);
    time.advance(2_999);
    await drain();
    expect(closed).toBe(false);
    time.advance(1);
    await closing;
    expect(time.pending).toBe(0);
  });

  it('close() while a caller waits, or while its claim is on the way: fn never starts', async () => {
    const granted = deferred();
    let slow = false;
    const gated: IdempotencyStore = {
      claim: async (...args) => {
        if (slow) await granted.promise;
        return store.claim(...args);
      },
      renew: store.renew.bind(store),
      saveStep: store.saveStep.bind(store),
      complete: store.complete.bind(store),
      release: store.release.bind(store),
      get: store.get.bind(store),
    };
    const idem = make({ store: gated });
    const gate = deferred();
    const holder = idem.run('held', 'fp', async () => gate.promise.then(() => 1)).catch((e: unknown) => e);
    await drain();
    let calls = 0;
    const waiting = idem.run('held', 'fp', async () => ++calls, { waitMs: 60_000 });
    slow = true;
    const claiming = idem.run('free', 'fp', async () => ++calls);
    await drain();
    const closing = idem.close();
    granted.resolve();
    time.advance(100);
    await expect(waiting).rejects.toSatisfy(isIdempotencyUnavailableError);
    await expect(claiming).rejects.toSatisfy(isIdempotencyUnavailableError);
    expect(calls).toBe(0);
    // The claim that arrived after close() was handed back, fingerprint and all.
    const after = idempotency({ store, clock: time.clock });
    opened.push(after);
    expect(await after.run('free', 'another-fp', async () => 'ran')).toEqual({ value: 'ran', replayed: false });
    gate.resolve();
    await holder;
    await closing;
  });
});

describe('outcomes that cannot be stored', () => {
  it('fn throwing IdempotencyNotStorableError: released (not-storable), the claim is freed, the error rethrown', async () => {
    const idem = make();
    const events = outcomesOf(idem);
    const error = new IdempotencyNotStorableError('a streamed reply cannot be stored');
    await expect(idem.run('k', 'fp', async () => Promise.reject(error))).rejects.toBe(error);
    expect(await idem.run('k', 'fp', async () => 'again')).toEqual({ value: 'again', replayed: false });
    expect(events.map((e) => [e.outcome, e.reason])).toEqual([
      ['released', 'not-storable'],
      ['executed', undefined],
    ]);
  });
});

describe('context.step()', () => {
  it('runs each step once per record, even across a failed attempt', async () => {
    const idem = make();
    const log: string[] = [];
    let attempt = 0;
    const handler = async (context: Parameters<Parameters<Idempotency['run']>[2]>[0]): Promise<JsonValue> => {
      attempt++;
      const reservation = await context.step('reserve', () => {
        log.push(`reserve#${attempt}`);
        return { id: `r${attempt}` };
      });
      const charge = await context.step('charge', async () => {
        log.push(`charge#${attempt}`);
        if (attempt === 1) throw new Error('card network down');
        return { id: `c${attempt}` };
      });
      return { reservation, charge };
    };
    await expect(idem.run('order', 'fp', handler)).rejects.toThrow('card network down');
    expect(await idem.run('order', 'fp', handler)).toEqual({ value: { reservation: { id: 'r1' }, charge: { id: 'c2' } }, replayed: false });
    expect(log).toEqual(['reserve#1', 'charge#1', 'charge#2']);
  });

  it('refuses a step result that is not JSON or too large, and a bad name', async () => {
    const idem = make({ maxRecordBytes: 100 });
    await expect(idem.run('a', 'fp', async (c) => c.step('s', () => undefined as unknown as JsonValue))).rejects.toThrow('must be a JSON value');
    await expect(idem.run('b', 'fp', async (c) => c.step('s', () => 'x'.repeat(200)))).rejects.toThrow('`maxRecordBytes` is 100');
    await expect(idem.run('c', 'fp', async (c) => c.step('', () => 1))).rejects.toThrow('Expected `name` to be a string of length from 1 to 200');
  });

  it('a step that cannot be saved fails the handler: unavailable (store down) or lease lost', async () => {
    const base = store;
    store = breakOn(base, ['saveStep']);
    const idem = make();
    await expect(idem.run('a', 'fp', async (c) => c.step('s', () => 1))).rejects.toSatisfy(isIdempotencyUnavailableError);
    store = { ...base, saveStep: async () => false, claim: base.claim.bind(base), release: base.release.bind(base), renew: base.renew.bind(base), complete: base.complete.bind(base), get: base.get.bind(base) };
    const idem2 = make();
    await expect(idem2.run('b', 'fp', async (c) => c.step('s', () => 1))).rejects.toSatisfy(isIdempotencyLeaseLostError);
  });
});
