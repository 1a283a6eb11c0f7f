import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  idempotency,
  isIdempotencyConflictError,
  isIdempotencyLeaseLostError,
  isIdempotencyMismatchError,
  type Idempotency,
  type IdempotencyOptions,
  type IdempotencyOutcomeEvent,
  type JsonValue,
  type RunContext,
} from '@breakwater/idempotency';
import { deferred, manualClock, watchProcessProblems } from 'breakwater-test-utils';
import type { StoreHarness } from './harness.ts';

const LEASE = 3_000;
const TTL = 60_000;

/**
 * One suite, run against every store (memory, Redis, Redis Cluster): the store interface
 * first, then `run()` on top of it. Time moves only through `harness.passTime()`.
 */
export function storeConformance(makeHarness: () => StoreHarness): void {
  let h: StoreHarness;
  let problems: ReturnType<typeof watchProcessProblems>;
  const opened: Idempotency[] = [];
  const make = (options: Partial<IdempotencyOptions> = {}): Idempotency => {
    const idem = idempotency({ store: h.store, clock: h.clock, leaseMs: LEASE, ttlMs: TTL, ...options });
    opened.push(idem);
    return idem;
  };
  const id = (): string => randomUUID();
  const owner = (): string => randomUUID();

  beforeEach(() => {
    problems = watchProcessProblems();
    h = makeHarness();
  });
  afterEach(async () => {
    // close() waits up to one lease for handlers that never settle: let that time pass.
    let closed = false;
    const closing = Promise.all(opened.splice(0).map((idem) => idem.close())).then(() => void (closed = true));
    await h.flush();
    if (!closed) await h.passTime(LEASE, LEASE);
    await closing;
    await h.flush();
    const seen = problems.stop();
    expect(seen.unhandled).toEqual([]);
    expect(seen.warnings).toEqual([]);
  });

  describe('store: claim', () => {
    it('claims a new id; a second owner then sees it in flight with the lease left', async () => {
      const key = id();
      expect(await h.store.claim(key, 'fp', owner(), LEASE, TTL)).toEqual({ status: 'claimed', steps: {} });
      const second = await h.store.claim(key, 'fp', owner(), LEASE, TTL);
      expect(second.status).toBe('in-flight');
      const left = (second as { leaseRemainingMs: number }).leaseRemainingMs;
      expect(left).toBeGreaterThan(LEASE - 1_000);
      expect(left).toBeLessThanOrEqual(LEASE);
    });

    it('answers a mismatch for another fingerprint, in flight and once completed', async () => {
      const key = id();
      const me = owner();
      await h.store.claim(key, 'fp-a', me, LEASE, TTL);
      expect(await h.store.claim(key, 'fp-b', owner(), LEASE, TTL)).toEqual({ status: 'mismatch' });
      expect(await h.store.complete(key, me, 'fp-a', '"done"', TTL)).toBe(true);
      expect(await h.store.claim(key, 'fp-b', owner(), LEASE, TTL)).toEqual({ status: 'mismatch' });
      expect(await h.store.claim(key, 'fp-a', owner(), LEASE, TTL)).toEqual({ status: 'completed', outcome: '"done"' });
    });

    it('keeps ids apart', async () => {
      const [a, b] = [id(), id()];
      await h.store.claim(a, 'fp', owner(), LEASE, TTL);
      expect((await h.store.claim(b, 'fp-other', owner(), LEASE, TTL)).status).toBe('claimed');
    });
  });

  describe('store: owner tokens', () => {
    it('renews, saves steps and completes only for the owner', async () => {
      const key = id();
      const me = owner();
      const other = owner();
      await h.store.claim(key, 'fp', me, LEASE, TTL);
      expect(await h.store.renew(key, other, LEASE)).toBe(false);
      expect(await h.store.saveStep(key, other, 'a', '1')).toBe(false);
      expect(await h.store.complete(key, other, 'fp', '"theirs"', TTL)).toBe(false);
      expect(await h.store.release(key, other)).toBe(false);
      expect((await h.store.get(key))?.leaseRemainingMs).toBeGreaterThan(0);
      expect(await h.store.renew(key, me, LEASE)).toBe(true);
      expect(await h.store.saveStep(key, me, 'a', '1')).toBe(true);
      expect(await h.store.complete(key, me, 'fp', '"mine"', TTL)).toBe(true);
      expect(await h.store.get(key)).toEqual({ fingerprint: 'fp', outcome: '"mine"', steps: {}, leaseRemainingMs: 0 });
    });

    it('a renewal keeps the lease past its first term', async () => {
      const key = id();
      const me = owner();
      await h.store.claim(key, 'fp', me, LEASE, TTL);
      await h.passTime(LEASE - 1_500);
      expect(await h.store.renew(key, me, LEASE)).toBe(true);
      await h.passTime(LEASE - 1_500);
      expect((await h.store.claim(key, 'fp', owner(), LEASE, TTL)).status).toBe('in-flight');
    });

    it('a renewal keeps the record (fingerprint, steps) alive past its TTL while the lease is held', async () => {
      const key = id();
      const me = owner();
      // A record TTL no longer than the lease: without renewals extending it, it would expire mid-run.
      await h.store.claim(key, 'fp', me, LEASE, LEASE);
      expect(await h.store.saveStep(key, me, 'charged', '"ch_1"')).toBe(true);
      for (let i = 0; i < 4; i++) {
        await h.passTime(LEASE / 3, LEASE / 3);
        expect(await h.store.renew(key, me, LEASE)).toBe(true);
      }
      // 4/3 of the TTL has passed: the record is still there, with its fingerprint and steps.
      const record = await h.store.get(key);
      expect(record?.fingerprint).toBe('fp');
      expect(record?.steps).toEqual({ charged: '"ch_1"' });
      expect(await h.store.claim(key, 'fp-other', owner(), LEASE, LEASE)).toEqual({ status: 'mismatch' });
      expect((await h.store.claim(key, 'fp', owner(), LEASE, LEASE)).status).toBe('in-flight');
      expect(await h.store.complete(key, me, 'fp', '"done"', TTL)).toBe(true);
      expect(await h.store.claim(key, 'fp', owner(), LEASE, TTL)).toEqual({ status: 'completed', outcome: '"done"' });
    });

    it('release frees the id and forgets the fingerprint', async () => {
      const key = id();
      const me = owner();
      await h.store.claim(key, 'fp-a', me, LEASE, TTL);
      expect(await h.store.release(key, me)).toBe(true);
      expect(await h.store.get(key)).toBeUndefined();
      expect((await h.store.claim(key, 'fp-b', owner(), LEASE, TTL)).status).toBe('claimed');
    });

    it('after the lease lapses another owner claims; the old owner can touch nothing', async () => {
      const key = id();
      const old = owner();
      const next = owner();
      await h.store.claim(key, 'fp', old, LEASE, TTL);
      await h.store.saveStep(key, old, 'charged', '{"id":7}');
      await h.passTime(LEASE + 100);
      expect((await h.store.get(key))?.leaseRemainingMs).toBe(0);
      expect(await h.store.claim(key, 'fp', next, LEASE, TTL)).toEqual({ status: 'claimed', steps: { charged: '{"id":7}' } });
      expect(await h.store.renew(key, old, LEASE)).toBe(false);
      expect(await h.store.saveStep(key, old, 'x', '1')).toBe(false);
      expect(await h.store.release(key, old)).toBe(false);
      expect(await h.store.complete(key, old, 'fp', '"old"', TTL)).toBe(false);
      expect(await h.store.complete(key, next, 'fp', '"next"', TTL)).toBe(true);
      expect((await h.store.get(key))?.outcome).toBe('"next"');
    });

    it('a holder whose lease lapsed still completes when nobody took over, but never over a stored outcome', async () => {
      const key = id();
      const slow = owner();
      await h.store.claim(key, 'fp', slow, LEASE, TTL);
      await h.passTime(LEASE + 100);
      expect(await h.store.renew(key, slow, LEASE)).toBe(false);
      expect(await h.store.complete(key, slow, 'fp', '"late"', TTL)).toBe(true);
      expect(await h.store.claim(key, 'fp', owner(), LEASE, TTL)).toEqual({ status: 'completed', outcome: '"late"' });
      expect(await h.store.complete(key, slow, 'fp', '"again"', TTL)).toBe(false);
      expect((await h.store.get(key))?.outcome).toBe('"late"');
    });
  });

  describe('store: recovery points and expiry', () => {
    it('keeps saved steps across a release for the next holder, and drops them on completion', async () => {
      const key = id();
      const first = owner();
      await h.store.claim(key, 'fp', first, LEASE, TTL);
      expect(await h.store.saveStep(key, first, 'reserve', '"r-1"')).toBe(true);
      expect(await h.store.saveStep(key, first, '__proto__', '{"x":1}')).toBe(true);
      expect(await h.store.saveStep(key, first, 'constructor', '2')).toBe(true);
      expect(await h.store.release(key, first)).toBe(true);
      expect(await h.store.claim(key, 'fp-other', owner(), LEASE, TTL)).toEqual({ status: 'mismatch' });
      const second = owner();
      const claimed = await h.store.claim(key, 'fp', second, LEASE, TTL);
      expect(claimed.status).toBe('claimed');
      const steps = (claimed as { steps: Record<string, string> }).steps;
      expect(Object.entries(steps).sort()).toEqual([
        ['__proto__', '{"x":1}'],
        ['constructor', '2'],
        ['reserve', '"r-1"'],
      ]);
      expect(await h.store.complete(key, second, 'fp', '"ok"', TTL)).toBe(true);
      expect((await h.store.get(key))?.steps).toEqual({});
    });

    it('forgets a completed record after its TTL', async () => {
      const key = id();
      const me = owner();
      await h.store.claim(key, 'fp', me, LEASE, TTL);
      await h.store.complete(key, me, 'fp', '"ok"', TTL);
      await h.passTime(TTL - 5_000, 5_000);
      expect((await h.store.claim(key, 'fp', owner(), LEASE, TTL)).status).toBe('completed');
      await h.passTime(5_100, 5_000);
      expect(await h.store.get(key)).toBeUndefined();
      expect((await h.store.claim(key, 'fp-new', owner(), LEASE, TTL)).status).toBe('claimed');
    });

    it('stores any text byte for byte', async () => {
      const key = id();
      const me = owner();
      const text = JSON.stringify({ s: 'é\u2028\u0000"\\{}\r\n🙂', n: [1.5, -0, 1e300], big: 'x'.repeat(100_000) });
      await h.store.claim(key, 'fp', me, LEASE, TTL);
      await h.store.complete(key, me, 'fp', text, TTL);
      expect(await h.store.claim(key, 'fp', owner(), LEASE, TTL)).toEqual({ status: 'completed', outcome: text });
    });
  });

  describe('run()', () => {
    it('runs once for 50 concurrent duplicates; each other caller gets a conflict, later callers the replay', async () => {
      const idem = make();
      let calls = 0;
      const gate = deferred();
      const fn = async (): Promise<JsonValue> => {
        calls++;
        await gate.promise;
        return { charged: 42 };
      };
      const runs = Array.from({ length: 50 }, () => idem.run('order-1', 'body', fn).then((r) => r, (e: unknown) => e));
      await h.flush();
      gate.resolve();
      const results = await Promise.all(runs);
      expect(calls).toBe(1);
      const executed = results.filter((r) => (r as { replayed?: boolean }).replayed === false);
      expect(executed).toEqual([{ value: { charged: 42 }, replayed: false }]);
      expect(results.filter(isIdempotencyConflictError)).toHaveLength(49);
      expect(await idem.run('order-1', 'body', fn)).toEqual({ value: { charged: 42 }, replayed: true });
      expect(calls).toBe(1);
    });

    it('answers a mismatch for the same key with another fingerprint', async () => {
      const idem = make();
      await idem.run('k', 'body-a', async () => 1);
      await expect(idem.run('k', 'body-b', async () => 2)).rejects.toSatisfy(isIdempotencyMismatchError);
    });

    it('scopes keys: tenant B neither reads nor is blocked by tenant A', async () => {
      const idem = make();
      const gate = deferred();
      const a = idem.run('shared-key', 'fp-a', async () => {
        await gate.promise;
        return 'secret of A';
      }, { scope: 'tenant-a' });
      await h.flush();
      // While A runs, B's identical key is its own record: it runs, with its own fingerprint.
      expect(await idem.run('shared-key', 'fp-b', async () => 'B', { scope: 'tenant-b' })).toEqual({ value: 'B', replayed: false });
      gate.resolve();
      expect(await a).toEqual({ value: 'secret of A', replayed: false });
      expect(await idem.run('shared-key', 'fp-b', async () => 'B again', { scope: 'tenant-b' })).toEqual({ value: 'B', replayed: true });
      // And unscoped is a third record; an empty scope a fourth.
      expect((await idem.run('shared-key', 'fp-c', async () => 'none')).value).toBe('none');
      expect((await idem.run('shared-key', 'fp-d', async () => 'empty', { scope: '' })).value).toBe('empty');
      await expect(idem.run('shared-key', 'fp-a', async () => 'x', { scope: 'tenant-b' })).rejects.toSatisfy(isIdempotencyMismatchError);
    });

    it('releases the claim when fn throws, so a retry runs', async () => {
      const idem = make();
      const boom = new Error('boom');
      await expect(idem.run('k', 'fp', async () => Promise.reject(boom))).rejects.toBe(boom);
      expect(await idem.run('k', 'fp-changed', async () => 'second try')).toEqual({ value: 'second try', replayed: false });
    });

    it('stores only what shouldStore accepts', async () => {
      const idem = make();
      const final = (value: { status: number }): boolean => value.status < 500;
      expect(await idem.run('k', 'fp', async () => ({ status: 503 }), { shouldStore: final })).toEqual({ value: { status: 503 }, replayed: false });
      expect(await idem.run('k', 'fp', async () => ({ status: 201 }), { shouldStore: final })).toEqual({ value: { status: 201 }, replayed: false });
      expect(await idem.run('k', 'fp', async () => ({ status: 500 }), { shouldStore: final })).toEqual({ value: { status: 201 }, replayed: true });
    });

    it('does not store an outcome above maxRecordBytes and releases the claim', async () => {
      const idem = make({ maxRecordBytes: 1_000 });
      const events: IdempotencyOutcomeEvent[] = [];
      idem.onOutcome((e) => events.push(e));
      const big = 'é'.repeat(500); // 1 002 bytes of JSON text
      expect(await idem.run('k', 'fp', async () => big)).toEqual({ value: big, replayed: false });
      expect(events.map((e) => [e.outcome, e.reason])).toEqual([['released', 'too-large']]);
      expect(await idem.run('k', 'fp', async () => 'small')).toEqual({ value: 'small', replayed: false });
    });

    it('waits, when asked, for the running holder and replays its outcome', async () => {
      const idem = make();
      const gate = deferred();
      const first = idem.run('k', 'fp', async () => {
        await gate.promise;
        return 'first';
      });
      await h.flush();
      const second = idem.run('k', 'fp', async () => 'second', { waitMs: 5_000 });
      await h.passTime(200);
      gate.resolve();
      await first;
      await h.passTime(300);
      expect(await second).toEqual({ value: 'first', replayed: true });
    });

    it('a waiting caller runs fn itself when the holder fails', async () => {
      const idem = make();
      const gate = deferred();
      const first = idem.run('k', 'fp', async () => {
        await gate.promise;
        throw new Error('holder failed');
      });
      first.catch(() => {});
      await h.flush();
      const second = idem.run('k', 'fp', async () => 'second', { waitMs: 5_000 });
      await h.passTime(100);
      gate.resolve();
      await expect(first).rejects.toThrow('holder failed');
      await h.passTime(300);
      expect(await second).toEqual({ value: 'second', replayed: false });
    });

    it('a bounded wait ends in a conflict', async () => {
      const idem = make({ waitMs: 1_000 });
      const gate = deferred();
      const first = idem.run('k', 'fp', async () => {
        await gate.promise;
        return 1;
      });
      await h.flush();
      const second = idem.run('k', 'fp', async () => 2).then(
        () => 'ran',
        (e: unknown) => e,
      );
      await h.passTime(1_200);
      const error = await second;
      expect(isIdempotencyConflictError(error)).toBe(true);
      expect((error as { retryAfterMs: number }).retryAfterMs).toBe(1_000);
      gate.resolve();
      await first;
    });

    it('renews the lease: a handler slower than several leases runs once', async () => {
      const idem = make();
      let calls = 0;
      const gate = deferred();
      const slow = idem.run('slow', 'fp', async () => {
        calls++;
        await gate.promise;
        return 'done';
      });
      await h.flush();
      for (let i = 0; i < 4; i++) {
        await h.passTime(LEASE);
        await expect(idem.run('slow', 'fp', async () => 'duplicate')).rejects.toSatisfy(isIdempotencyConflictError);
      }
      gate.resolve();
      expect(await slow).toEqual({ value: 'done', replayed: false });
      expect(await idem.run('slow', 'fp', async () => 'duplicate')).toEqual({ value: 'done', replayed: true });
      expect(calls).toBe(1);
    });

    it('a handler running longer than ttlMs keeps its record: a duplicate is never run, another payload is a mismatch', async () => {
      const idem = make({ ttlMs: LEASE });
      let calls = 0;
      const gate = deferred();
      const slow = idem.run('long', 'fp', async (context) => {
        calls++;
        await context.step('charge', () => 'ch_1');
        await gate.promise;
        return 'done';
      });
      await h.flush();
      for (let i = 0; i < 3; i++) {
        await h.passTime(LEASE);
        await expect(idem.run('long', 'fp', async () => 'duplicate')).rejects.toSatisfy(isIdempotencyConflictError);
        await expect(idem.run('long', 'fp-other', async () => 'other')).rejects.toSatisfy(isIdempotencyMismatchError);
      }
      gate.resolve();
      expect(await slow).toEqual({ value: 'done', replayed: false });
      expect(await idem.run('long', 'fp', async () => 'duplicate')).toEqual({ value: 'done', replayed: true });
      expect(calls).toBe(1);
    });

    it('a holder that stops renewing (crashed) frees the key after the lease, and the next run resumes after its last step', async () => {
      const crashed = make();
      const survivor = make();
      const reached = deferred();
      const charges: string[] = [];
      const handler = async (context: RunContext): Promise<JsonValue> => {
        const charge = await context.step('charge', () => {
          charges.push('charged');
          return { chargeId: 'ch_1' };
        });
        reached.resolve();
        await new Promise<never>(() => {}); // never settles: a hung or dead process
        return charge;
      };
      void crashed.run('k', 'fp', handler);
      await reached.promise;
      // Stops renewals, as a crash would; resolves one lease later (the handler never settles).
      const closing = crashed.close();
      await h.passTime(LEASE / 2);
      await expect(survivor.run('k', 'fp', async () => 'early')).rejects.toSatisfy(isIdempotencyConflictError);
      await h.passTime(LEASE);
      const resumed = await survivor.run('k', 'fp', async (context) => {
        const charge = await context.step('charge', () => {
          charges.push('charged again');
          return { chargeId: 'ch_2' };
        });
        return { charge, shipped: await context.step('ship', () => true) };
      });
      expect(resumed).toEqual({ value: { charge: { chargeId: 'ch_1' }, shipped: true }, replayed: false });
      expect(charges).toEqual(['charged']);
      await closing;
    });

    it('a holder paused past its lease loses the claim: context.signal aborts, and its late outcome does not overwrite the new holder', async () => {
      // The first holder has a clock of its own that stands still: its renewals stall, as in a
      // long GC pause, while the store's time moves on and its lease lapses.
      const paused = manualClock();
      const stalled = make({ clock: paused.clock });
      const other = make();
      const gates = [deferred(), deferred()];
      let seen: AbortSignal | undefined;
      const first = stalled.run('k', 'fp', async (context) => {
        seen = context.signal;
        await gates[0]!.promise;
        return 'first';
      });
      await h.flush();
      await h.passTime(LEASE + 100);
      const second = other.run('k', 'fp', async () => {
        await gates[1]!.promise;
        return 'second';
      });
      await h.flush();
      const lost: unknown[] = [];
      stalled.onLeaseLost((event) => lost.push(event));
      paused.advance(LEASE / 3); // the pause ends: the next renewal is refused
      await h.flush();
      expect(lost).toEqual([{ name: 'idempotency', reason: 'rejected' }]);
      expect(seen?.aborted).toBe(true);
      expect(isIdempotencyLeaseLostError(seen?.reason)).toBe(true);
      gates[0]!.resolve();
      expect(await first).toEqual({ value: 'first', replayed: false });
      expect(lost).toHaveLength(1); // the refused completion is the same loss, not another event
      gates[1]!.resolve();
      expect(await second).toEqual({ value: 'second', replayed: false });
      expect(await other.run('k', 'fp', async () => 'third')).toEqual({ value: 'second', replayed: true });
    });
  });
}

