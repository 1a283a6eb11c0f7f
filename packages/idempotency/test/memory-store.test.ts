import { describe, expect, it } from 'vitest';
import { idempotency, memoryStore } from '@breakwater/idempotency';
import { manualClock } from 'breakwater-test-utils';
import { memoryHarness } from './support/harness.ts';
import { storeConformance } from './support/store-conformance.ts';

describe('memoryStore() conformance', () => {
  storeConformance(() => memoryHarness());
});

describe('memoryStore()', () => {
  it('claims synchronously: the second of two same-tick calls already sees the first', async () => {
    const store = memoryStore();
    const [a, b] = await Promise.all([store.claim('id', 'fp', 'a', 1_000, 10_000), store.claim('id', 'fp', 'b', 1_000, 10_000)]);
    expect(a.status).toBe('claimed');
    expect(b.status).toBe('in-flight');
  });

  it('bounds completed records (least recently used dropped) but never evicts a running claim', async () => {
    const time = manualClock();
    const store = memoryStore({ maxRecords: 3, clock: time.clock });
    await store.claim('running', 'fp', 'holder', 1_000, 10_000);
    for (let i = 0; i < 10; i++) {
      await store.claim(`done-${i}`, 'fp', 'o', 1_000, 10_000);
      await store.complete(`done-${i}`, 'o', 'fp', String(i), 10_000);
    }
    expect(await store.get('done-0')).toBeUndefined();
    expect((await store.get('done-9'))?.outcome).toBe('9');
    // 20 more claims in flight: over the bound, yet every one is a running handler and stays.
    for (let i = 0; i < 20; i++) await store.claim(`live-${i}`, 'fp', 'o', 1_000, 10_000);
    expect((await store.claim('running', 'fp', 'intruder', 1_000, 10_000)).status).toBe('in-flight');
    expect((await store.claim('live-0', 'fp', 'intruder', 1_000, 10_000)).status).toBe('in-flight');
  });

  it('drops unheld pending records when over the bound, and lapsed empty ones as it goes', async () => {
    const time = manualClock();
    const store = memoryStore({ maxRecords: 2, clock: time.clock });
    await store.claim('with-steps', 'fp', 'a', 100, 10_000);
    await store.saveStep('with-steps', 'a', 'x', '1');
    await store.release('with-steps', 'a');
    await store.claim('lapsed', 'fp', 'b', 100, 10_000);
    time.advance(200);
    await store.claim('new-1', 'fp', 'c', 100, 10_000);
    await store.claim('new-2', 'fp', 'd', 100, 10_000);
    expect(await store.get('lapsed')).toBeUndefined();
    expect(await store.get('with-steps')).toBeUndefined();
    expect((await store.get('new-2'))?.leaseRemainingMs).toBe(100);
  });

  it('holds its bound behind a block of old long-running claims: unheld records are dropped, lapsed ones too', async () => {
    const time = manualClock();
    const store = memoryStore({ maxRecords: 10, clock: time.clock });
    // 20 old claims, held for the whole test (renewed): the oldest in insertion order.
    for (let i = 0; i < 20; i++) await store.claim(`held-${i}`, 'fp', `h${i}`, 1_000, 1_000_000);
    const renewAll = async (): Promise<void> => {
      for (let i = 0; i < 20; i++) expect(await store.renew(`held-${i}`, `h${i}`, 1_000)).toBe(true);
    };
    // Attacker-chosen keys: each claimed, a step saved, then released (kept for the next holder).
    for (let i = 0; i < 500; i++) {
      await store.claim(`spam-${i}`, 'fp', 'a', 1_000, 1_000_000);
      await store.saveStep(`spam-${i}`, 'a', 's', '1');
      await store.release(`spam-${i}`, 'a');
    }
    let kept = 0;
    for (let i = 0; i < 500; i++) if ((await store.get(`spam-${i}`)) !== undefined) kept++;
    // The 20 running claims stay; unheld records fill at most the rest of the bound.
    expect(kept).toBeLessThanOrEqual(10);
    expect((await store.get('spam-499'))?.steps).toEqual({ s: '1' });
    // Claims whose holders stopped renewing (lease lapsed, never released) are dropped too.
    for (let i = 0; i < 200; i++) await store.claim(`lapsing-${i}`, 'fp', 'b', 1_000, 1_000_000);
    time.advance(600);
    await renewAll();
    time.advance(600);
    await renewAll();
    for (let i = 0; i < 50; i++) await store.claim(`fresh-${i}`, 'fp', 'c', 1_000, 1_000_000);
    let lapsedKept = 0;
    for (let i = 0; i < 200; i++) if ((await store.get(`lapsing-${i}`)) !== undefined) lapsedKept++;
    expect(lapsedKept).toBe(0);
    for (let i = 0; i < 20; i++) expect((await store.claim(`held-${i}`, 'fp', 'intruder', 1_000, 1_000_000)).status).toBe('in-flight');
    for (let i = 0; i < 50; i++) expect((await store.claim(`fresh-${i}`, 'fp', 'intruder', 1_000, 1_000_000)).status).toBe('in-flight');
  });

  it('validates its options', () => {
    expect(() => memoryStore({ maxRecords: 0 })).toThrow('Expected `maxRecords` to be an integer from 1 and up, got `0` (number)');
    expect(() => memoryStore({ maxRecords: 1.5 })).toThrow(RangeError);
    expect(() => memoryStore({ clock: {} as never })).toThrow(TypeError);
    expect(() => memoryStore({ maxRecord: 1 } as never)).toThrow('Unknown option `maxRecord` for memoryStore()');
  });

  it('is what idempotency() needs: a smoke run with defaults', async () => {
    const idem = idempotency({ store: memoryStore() });
    expect(await idem.run('k', 'fp', async () => ({ ok: true }))).toEqual({ value: { ok: true }, replayed: false });
    expect(await idem.run('k', 'fp', async () => ({ ok: false }))).toEqual({ value: { ok: true }, replayed: true });
    await idem.close();
  });
});
