import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '@breakwater/core';
import { isL2UnavailableError, redisTier, type RedisTier } from '@breakwater/cache/redis';
import { startRedis, startRedisCluster } from 'breakwater-test-utils';
import type { Cluster, Redis } from 'ioredis';
import { clusterTarget, singleTarget, waitFor, type RedisTarget } from './redis-helpers.ts';

const PREFIX = 'bwtest:';
const MINUTE = 60_000;

/** An entry that stays fresh for a minute and stale for another. */
function entry(value: string, tags?: string[]) {
  const now = Date.now();
  return { value, freshUntil: now + MINUTE, staleUntil: now + 2 * MINUTE, ...(tags ? { tags } : {}) };
}

describe.each([
  ['a single Redis', async () => singleTarget(await startRedis())],
  ['a 3-master Redis Cluster', async () => clusterTarget(await startRedisCluster({ masters: 3 }))],
] as const)('redisTier() conformance on %s', (_label, start) => {
  let target: RedisTarget;
  let client: Redis | Cluster;
  const tiers: RedisTier[] = [];
  const makeTier = ({ client: own, ...options }: NonNullable<Parameters<typeof redisTier>[1]> & { client?: Redis | Cluster } = {}): RedisTier => {
    const tier = redisTier(own ?? client, { prefix: PREFIX, commandTimeoutMs: 2_000, ...options });
    tiers.push(tier);
    return tier;
  };

  beforeAll(async () => {
    target = await start();
    client = await target.client();
  });
  afterAll(() => target?.stop());
  afterEach(async () => {
    await Promise.all(tiers.splice(0).map((tier) => tier.close()));
    await target.flush();
  });

  it('misses, then returns what was set, times and tags included', async () => {
    const tier = makeTier();
    expect(await tier.get('user:1')).toBeUndefined();
    const stored = entry('{"id":1,"name":"Ada\\nLovelace ✓"}\nsecond line', ['users', 'team:7']);
    await tier.set('user:1', stored);
    expect(await tier.get('user:1')).toEqual(stored);
    const plain = entry('');
    await tier.set('empty', plain);
    expect(await tier.get('empty')).toEqual(plain);
  });

  it('expires the entry in Redis at staleUntil (PX), not at freshUntil', async () => {
    const now = 1_700_000_000_000;
    const tier = makeTier({ clock: { ...systemClock, epochNow: () => now } });
    await tier.set('k', { value: 'v', freshUntil: now + 1_000, staleUntil: now + 90_000 });
    const pttl = Number(await target.command(`${PREFIX}e:k`, 'PTTL'));
    expect(pttl).toBeGreaterThan(85_000);
    expect(pttl).toBeLessThanOrEqual(90_000);
  });

  it('gives every key a TTL: an entry that never expires (the cache default ttl: Infinity) and its tag sets live maxTtlMs (24 h by default)', async () => {
    const tier = makeTier();
    const forever = { value: 'v', freshUntil: Infinity, staleUntil: Infinity, tags: ['all-time'] };
    await tier.set('forever', forever);
    expect(await tier.get('forever')).toEqual(forever);
    const day = 86_400_000;
    const ttlOf = async (key: string) => Number(await target.command(key, 'PTTL'));
    for (const key of [`${PREFIX}e:forever`, `${PREFIX}t:all-time`]) {
      expect(await ttlOf(key), key).toBeGreaterThan(day - 60_000);
      expect(await ttlOf(key), key).toBeLessThanOrEqual(day);
    }
    // A later, shorter entry in the same tag does not shorten the set: it still lists `forever`.
    await tier.set('brief', entry('b', ['all-time']));
    expect(await ttlOf(`${PREFIX}t:all-time`)).toBeGreaterThan(day - 60_000);
    await tier.set('plain', { value: 'p', freshUntil: Infinity, staleUntil: Infinity });
    expect((await tier.get('plain'))?.staleUntil).toBe(Infinity);
    expect(await ttlOf(`${PREFIX}e:plain`)).toBeGreaterThan(day - 60_000);
    await tier.deleteTags(['all-time']);
    expect(await tier.get('forever')).toBeUndefined();
    expect(await tier.get('brief')).toBeUndefined();
    for (const key of await target.keys()) expect(await ttlOf(key), key).toBeGreaterThan(0);
  });

  it('maxTtlMs caps entries and tag sets, and gives a tag set left without a TTL (an older version) one', async () => {
    const now = 1_700_000_000_000;
    const tier = makeTier({ maxTtlMs: 30_000, clock: { ...systemClock, epochNow: () => now } });
    const ttlOf = async (key: string) => Number(await target.command(key, 'PTTL'));
    // Longer than the cap: stored for the cap; the envelope keeps its own times.
    const long = { value: 'v', freshUntil: now + 60_000, staleUntil: now + 120_000, tags: ['t'] };
    await tier.set('long', long);
    expect(await tier.get('long')).toEqual(long);
    for (const key of [`${PREFIX}e:long`, `${PREFIX}t:t`]) {
      expect(await ttlOf(key), key).toBeGreaterThan(25_000);
      expect(await ttlOf(key), key).toBeLessThanOrEqual(30_000);
    }
    // Shorter than the cap: its own TTL.
    await tier.set('short', { value: 'v', freshUntil: now, staleUntil: now + 10_000 });
    expect(await ttlOf(`${PREFIX}e:short`)).toBeLessThanOrEqual(10_000);
    // A tag set persisted by an older version (no TTL) gets one on the next tagged write.
    await target.command(`${PREFIX}t:legacy`, 'SADD', 'old-member');
    expect(await ttlOf(`${PREFIX}t:legacy`)).toBe(-1);
    await tier.set('new', { value: 'v', freshUntil: Infinity, staleUntil: Infinity, tags: ['legacy'] });
    expect(await ttlOf(`${PREFIX}t:legacy`)).toBeGreaterThan(25_000);
    expect(await ttlOf(`${PREFIX}t:legacy`)).toBeLessThanOrEqual(30_000);
    expect(Number(await target.command(`${PREFIX}t:legacy`, 'SCARD'))).toBe(2);
  });

  it('a maxTtlMs entry really expires from Redis (short real cap, polled)', async () => {
    const tier = makeTier({ maxTtlMs: 50 });
    await tier.set('forever', { value: 'v', freshUntil: Infinity, staleUntil: Infinity, tags: ['t'] });
    await waitFor('Redis to drop the entry and its tag set', async () => (await target.keys()).length === 0, 3_000);
    expect(await tier.get('forever')).toBeUndefined();
  });

  it('lets Redis drop the entry once staleUntil passes (short real PX, polled)', async () => {
    const tier = makeTier();
    const now = Date.now();
    await tier.set('short', { value: 'v', freshUntil: now, staleUntil: now + 60 });
    await waitFor('the entry to expire', async () => (await target.keys()).length === 0 || (await tier.get('short')) === undefined, 3_000);
    await waitFor('Redis to drop the key', async () => Number(await target.command(`${PREFIX}e:short`, 'EXISTS')) === 0, 3_000);
  });

  it('setting an entry already past staleUntil removes the older value instead of storing it', async () => {
    const tier = makeTier();
    await tier.set('k', entry('old'));
    const now = Date.now();
    await tier.set('k', { value: 'expired', freshUntil: now - 2_000, staleUntil: now - 1_000 });
    expect(await tier.get('k')).toBeUndefined();
    expect(await target.keys()).toEqual([]);
  });

  it('deletes several keys at once (on a Cluster they live in different slots)', async () => {
    const tier = makeTier();
    const keys = Array.from({ length: 20 }, (_, index) => `key:${index}`);
    await Promise.all(keys.map((key) => tier.set(key, entry(key))));
    await tier.delete(keys.slice(0, 15));
    for (const key of keys.slice(0, 15)) expect(await tier.get(key)).toBeUndefined();
    for (const key of keys.slice(15)) expect((await tier.get(key))?.value).toBe(key);
    await tier.delete([]);
  });

  it('deleteTags removes every entry carrying one of the tags, and only those', async () => {
    const tier = makeTier({ scanCount: 10 });
    const red = Array.from({ length: 35 }, (_, index) => `red:${index}`);
    await Promise.all(red.map((key) => tier.set(key, entry(key, ['red']))));
    await tier.set('both', entry('both', ['red', 'blue']));
    await tier.set('blue', entry('blue', ['blue']));
    await tier.set('green', entry('green', ['green']));
    await tier.set('untagged', entry('untagged'));

    await tier.deleteTags(['red']);
    for (const key of [...red, 'both']) expect(await tier.get(key)).toBeUndefined();
    for (const key of ['blue', 'green', 'untagged']) expect((await tier.get(key))?.value).toBe(key);
    expect(Number(await target.command(`${PREFIX}t:red`, 'EXISTS'))).toBe(0);

    await tier.deleteTags(['blue', 'green', 'no-such-tag']);
    expect(await tier.get('blue')).toBeUndefined();
    expect(await tier.get('green')).toBeUndefined();
    expect((await tier.get('untagged'))?.value).toBe('untagged');
  });

  it('keeps a tag set alive at least as long as its longest-lived entry, never shortening it', async () => {
    const now = 1_700_000_000_000;
    const tier = makeTier({ clock: { ...systemClock, epochNow: () => now } });
    await tier.set('long', { value: 'v', freshUntil: now, staleUntil: now + 100_000, tags: ['t'] });
    await tier.set('short', { value: 'v', freshUntil: now, staleUntil: now + 10_000, tags: ['t'] });
    const setTtl = Number(await target.command(`${PREFIX}t:t`, 'PTTL'));
    const entryTtl = Number(await target.command(`${PREFIX}e:long`, 'PTTL'));
    expect(setTtl).toBeGreaterThan(95_000);
    expect(setTtl).toBeGreaterThanOrEqual(entryTtl - 50);
    expect(await target.command(`${PREFIX}t:t`, 'SCARD')).toBe(2);
    // A longer-lived entry extends the set.
    await tier.set('longer', { value: 'v', freshUntil: now, staleUntil: now + 200_000, tags: ['t'] });
    expect(Number(await target.command(`${PREFIX}t:t`, 'PTTL'))).toBeGreaterThan(195_000);
  });

  it('a tagged set that cannot list a tag does not store the entry, so deleteTags can never miss it', async () => {
    const tier = makeTier();
    await target.command(`${PREFIX}t:broken`, 'SET', 'not a set');
    const error = await tier.set('k', entry('v', ['ok', 'broken'])).catch((e: unknown) => e);
    expect(isL2UnavailableError(error) && error.reason).toBe('command-failed');
    expect(await tier.get('k')).toBeUndefined();
    // A reply error says nothing about availability.
    expect(tier.breakerState).toBe('closed');
  });

  it('deletePrefix removes every matching entry across pages and nodes, and nothing else', async () => {
    const tier = makeTier({ scanCount: 10 });
    const tenantA = Array.from({ length: 120 }, (_, index) => `tenant:a:${index}`);
    await Promise.all(tenantA.map((key) => tier.set(key, entry(key))));
    for (const key of ['tenant:ab:1', 'tenant:b:1', 'other']) await tier.set(key, entry(key));

    await tier.deletePrefix('tenant:a:');
    for (const key of tenantA) expect(await tier.get(key)).toBeUndefined();
    for (const key of ['tenant:ab:1', 'tenant:b:1', 'other']) expect((await tier.get(key))?.value).toBe(key);
  });

  it('deletePrefix treats glob characters in the prefix literally', async () => {
    const tier = makeTier();
    const keys = ['a*', 'a*b', 'ab', 'axb', 'a?', 'a?c', 'ac', '[x]1', 'x1', 'back\\slash:1', 'backslash:1', 'a[', 'a[b'];
    for (const key of keys) await tier.set(key, entry(key));
    await tier.deletePrefix('a*');
    await tier.deletePrefix('a?');
    await tier.deletePrefix('[x]');
    await tier.deletePrefix('back\\');
    await tier.deletePrefix('a[');
    const left = (await Promise.all(keys.map(async (key) => ((await tier.get(key)) ? key : undefined)))).filter(Boolean);
    expect(left.sort()).toEqual(['ab', 'ac', 'axb', 'backslash:1', 'x1'].sort());
  });

  it('keeps hostile keys and tags inside its prefix: hash tags, CR/LF, 10 KB, look-alike sub-prefixes', async () => {
    const tier = makeTier();
    const other = makeTier({ prefix: 'neighbour:' });
    await other.set('victim', entry('safe', ['t']));
    const hostile = ['{victim}', 'x}{y', '\r\nSET neighbour:e:victim pwned\r\n', 'k'.repeat(10_240), '../../e:victim', 't:t', '*', '\\', '\u0000nul'];
    for (const key of hostile) await tier.set(key, entry(`value of ${key.length}`, [key, 'hostile']));
    for (const key of hostile) expect((await tier.get(key))?.value).toBe(`value of ${key.length}`);

    const keys = await target.keys();
    expect(keys.filter((key) => !key.startsWith(PREFIX) && !key.startsWith('neighbour:'))).toEqual([]);
    expect(keys.filter((key) => key.startsWith('neighbour:')).sort()).toEqual(['neighbour:e:victim', 'neighbour:t:t']);

    await tier.deletePrefix('');
    await tier.deleteTags([...hostile, 'hostile']);
    await tier.delete(hostile);
    expect((await other.get('victim'))?.value).toBe('safe');
    expect((await target.keys()).filter((key) => key.startsWith(PREFIX)).map((key) => key.slice(0, 40))).toEqual([]);
  });

  it('works on a client with ioredis keyPrefix (which SCAN MATCH does not apply)', async () => {
    const prefixed = await target.client({ keyPrefix: 'app1:' });
    const tier = makeTier({ client: prefixed });
    const bystander = makeTier();
    for (const key of ['a:1', 'a:2', 'b:1']) await tier.set(key, entry(key, ['t']));
    await bystander.set('a:1', entry('bystander'));
    expect((await tier.get('a:1'))?.value).toBe('a:1');
    expect((await target.keys()).filter((key) => key.startsWith('app1:')).sort()).toEqual(
      [`app1:${PREFIX}e:a:1`, `app1:${PREFIX}e:a:2`, `app1:${PREFIX}e:b:1`, `app1:${PREFIX}t:t`].sort(),
    );
    await tier.deletePrefix('a:');
    expect(await tier.get('a:1')).toBeUndefined();
    expect(await tier.get('a:2')).toBeUndefined();
    expect((await tier.get('b:1'))?.value).toBe('b:1');
    await tier.deleteTags(['t']);
    expect(await tier.get('b:1')).toBeUndefined();
    expect((await bystander.get('a:1'))?.value).toBe('bystander');
  });

  it('treats a value it did not write as a miss', async () => {
    const tier = makeTier();
    await target.command(`${PREFIX}e:foreign`, 'SET', 'plain string');
    await target.command(`${PREFIX}e:broken`, 'SET', 'bw1\nnot-a-number\n1\n\nv');
    expect(await tier.get('foreign')).toBeUndefined();
    expect(await tier.get('broken')).toBeUndefined();
  });

  it('after close() rejects at once with reason `closed` and leaves your client open', async () => {
    const tier = makeTier();
    await tier.close();
    const error = await tier.get('k').catch((e: unknown) => e);
    expect(isL2UnavailableError(error) && error.reason).toBe('closed');
    expect(client.status).toBe('ready');
    expect(await client.set(`${PREFIX}still-open`, '1')).toBe('OK');
  });

  it('closeClient: true quits the client on close()', async () => {
    const own = await target.client();
    const tier = redisTier(own, { prefix: PREFIX, closeClient: true });
    await tier.set('k', entry('v'));
    await tier.close();
    await waitFor('the client to end', () => own.status === 'end', 3_000);
  });
});
