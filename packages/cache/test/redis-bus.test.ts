import { afterEach, describe, expect, it } from 'vitest';
import { isL2UnavailableError, redisInvalidationBus, type RedisErrorEvent, type RedisInvalidationBus } from '@breakwater/cache/redis';
import type { InvalidationMessage } from '@breakwater/cache';
import { Inbox, startRedis, startRedisCluster, type RedisServer } from 'breakwater-test-utils';
import type { Cluster, Redis } from 'ioredis';
import { timed, waitFor } from './redis-helpers.ts';

/** Where Redis is healthy: a loaded machine must not turn a reply into a timeout. */
const PATIENT = { commandTimeoutMs: 5_000 } as const;

type Client = Redis | Cluster;

/** Connections the server sees, by name: the bus's subscriber connection is one of them. */
async function clientCount(server: RedisServer): Promise<number> {
  const list = (await server.command('CLIENT', 'LIST')) as string;
  // The short-lived connection running CLIENT LIST is one; it is not ours.
  return list.trim().split('\n').length - 1;
}

function listen(bus: RedisInvalidationBus): Inbox<InvalidationMessage> {
  const inbox = new Inbox<InvalidationMessage>();
  bus.subscribe((message) => inbox.push(message));
  return inbox;
}

describe('redisInvalidationBus()', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function setup(): Promise<{ server: RedisServer; a: RedisInvalidationBus; b: RedisInvalidationBus; clientA: Client; clientB: Client }> {
    const server = await startRedis();
    cleanup.push(() => server.stop());
    const clientA = await server.client();
    const clientB = await server.client();
    const a = redisInvalidationBus(clientA, { ...PATIENT, instanceId: 'a' });
    const b = redisInvalidationBus(clientB, { ...PATIENT, instanceId: 'b' });
    cleanup.push(() => a.close(), () => b.close());
    await Promise.all([a.ready(), b.ready()]);
    return { server, a, b, clientA, clientB };
  }

  it('delivers keys, tags and prefix messages to the other instances, never back to the sender', async () => {
    const { a, b } = await setup();
    const atA = listen(a);
    const atB = listen(b);
    const sent: InvalidationMessage[] = [
      { kind: 'keys', keys: ['user:1', 'user:{2}\r\n', ''] },
      { kind: 'tags', tags: ['users'] },
      { kind: 'prefix', prefix: 'tenant:*' },
    ];
    for (const message of sent) await a.publish(message);
    for (const message of sent) expect(await atB.next()).toEqual(message);
    // Published after A's own three: if A received its own, they would come first.
    await b.publish({ kind: 'keys', keys: ['from-b'] });
    expect(await atA.next()).toEqual({ kind: 'keys', keys: ['from-b'] });
    expect(atA.count).toBe(1);
  });

  it('a disposed listener hears nothing more; buses under another prefix hear nothing', async () => {
    const { server, a, b } = await setup();
    const other = redisInvalidationBus(await server.client(), { ...PATIENT, prefix: 'other:' });
    cleanup.push(() => other.close());
    await other.ready();
    const atOther = listen(other);
    const heard: InvalidationMessage[] = [];
    const subscription = b.subscribe((message) => heard.push(message));
    const atB = listen(b);
    await a.publish({ kind: 'keys', keys: ['1'] });
    await atB.next();
    subscription.dispose();
    await a.publish({ kind: 'keys', keys: ['2'] });
    await atB.next();
    expect(heard).toEqual([{ kind: 'keys', keys: ['1'] }]);
    expect(atOther.count).toBe(0);
    expect(other.channel).toBe('other:bus');
  });

  it('ignores payloads it cannot trust and reports them; good messages keep flowing', async () => {
    const { server, a, b, clientA } = await setup();
    const errors: RedisErrorEvent[] = [];
    b.onError((event) => errors.push(event));
    const atB = listen(b);
    const junk = [
      'not json',
      '{"v":2,"i":"x","m":{"kind":"keys","keys":["k"]}}',
      '{"v":1,"i":"x","m":{"kind":"keys","keys":[1]}}',
      '{"v":1,"i":"x","m":{"kind":"drop-table"}}',
      '{"v":1,"m":{"kind":"prefix","prefix":""}}',
      '{"v":1,"i":"x","m":{"kind":"all"}}',
      '[]',
    ];
    for (const payload of junk) await clientA.publish(a.channel, payload);
    await a.publish({ kind: 'tags', tags: ['ok'] });
    expect(await atB.next()).toEqual({ kind: 'tags', tags: ['ok'] });
    expect(atB.count).toBe(1);
    expect(errors.map((event) => event.reason)).toEqual(Array(junk.length).fill('invalid-message'));
    expect(server.running).toBe(true);
  });

  it('owns its subscriber connection: close() ends it and leaves your client open', async () => {
    const server = await startRedis();
    cleanup.push(() => server.stop());
    const client = await server.client();
    const before = await clientCount(server);
    const bus = redisInvalidationBus(client, PATIENT);
    await bus.ready();
    expect(await clientCount(server)).toBe(before + 1);
    await bus.close();
    await waitFor('the subscriber to disconnect', async () => (await clientCount(server)) === before);
    expect(client.status).toBe('ready');
    const error = await bus.publish({ kind: 'keys', keys: ['k'] }).catch((e: unknown) => e);
    expect(isL2UnavailableError(error) && error.reason).toBe('closed');
    await bus.close();
  });

  it('after a Redis restart it resubscribes, tells listeners to drop all of L1, and messages flow again', async () => {
    const { server, a, b, clientA } = await setup();
    const atB = listen(b);
    const resubscribed: boolean[] = [];
    b.onResubscribe((event) => resubscribed.push(event.cleared));
    await server.restart();
    await waitFor('B to resubscribe', () => resubscribed.length === 1, 10_000);
    expect(resubscribed).toEqual([true]);
    expect(await atB.next()).toEqual({ kind: 'all' });
    await waitFor('A to reconnect', () => clientA.status === 'ready', 10_000);
    await a.publish({ kind: 'keys', keys: ['after-restart'] });
    expect(await atB.next()).toEqual({ kind: 'keys', keys: ['after-restart'] });
  });

  it('clearOnReconnect: false resubscribes without the clear-all message', async () => {
    const server = await startRedis();
    cleanup.push(() => server.stop());
    const publisher = await server.client();
    const bus = redisInvalidationBus(await server.client(), { ...PATIENT, clearOnReconnect: false });
    const sender = redisInvalidationBus(publisher, PATIENT);
    cleanup.push(() => bus.close(), () => sender.close());
    await bus.ready();
    const heard = listen(bus);
    const resubscribed: boolean[] = [];
    bus.onResubscribe((event) => resubscribed.push(event.cleared));
    await server.restart();
    await waitFor('the bus to resubscribe', () => resubscribed.length === 1, 10_000);
    await waitFor('the publisher to reconnect', () => publisher.status === 'ready', 10_000);
    await sender.publish({ kind: 'keys', keys: ['k'] });
    expect(await heard.next()).toEqual({ kind: 'keys', keys: ['k'] });
    expect(resubscribed).toEqual([false]);
  });

  it('publish on a hung server answers within the command timeout', async () => {
    const server = await startRedis();
    cleanup.push(() => server.stop());
    const bus = redisInvalidationBus(await server.client(), { commandTimeoutMs: 250 });
    cleanup.push(() => bus.close());
    await bus.ready();
    server.pause();
    const outcome = await timed(bus.publish({ kind: 'keys', keys: ['k'] }));
    expect(isL2UnavailableError(outcome.error) && outcome.error.reason).toBe('timeout');
    expect(outcome.ms).toBeLessThan(450);
    // close() is bounded too (QUIT races the same timeout), even with the server still paused.
    const closing = await timed(bus.close());
    expect(closing.ms).toBeLessThan(450);
    server.resume();
  });

  it('on a 3-master Cluster, keeps hearing after every node restarted (ioredis moves its subscriber)', async () => {
    const cluster = await startRedisCluster({ masters: 3 });
    cleanup.push(() => cluster.stop());
    const a = redisInvalidationBus(await cluster.client(), { ...PATIENT, instanceId: 'a' });
    const b = redisInvalidationBus(await cluster.client(), { ...PATIENT, instanceId: 'b' });
    cleanup.push(() => a.close(), () => b.close());
    await Promise.all([a.ready(), b.ready()]);
    const atB = listen(b);
    // Whichever node B's subscriber sits on is restarted at some point.
    for (const node of cluster.nodes) await node.restart();
    // Pub/sub does not replay: publish until B hears one, bounded.
    let sent = 0;
    await waitFor(
      'B to hear A again',
      async () => {
        await a.publish({ kind: 'keys', keys: [`after-${++sent}`] }).catch(() => {});
        return atB.count > 0;
      },
      15_000,
    );
    const first = await atB.next();
    expect(first.kind).toBe('keys');
  });

  it('on a 3-master Cluster, a message published through any node reaches the other instance', async () => {
    const cluster = await startRedisCluster({ masters: 3 });
    cleanup.push(() => cluster.stop());
    const a = redisInvalidationBus(await cluster.client(), { ...PATIENT, instanceId: 'a' });
    const b = redisInvalidationBus(await cluster.client(), { ...PATIENT, instanceId: 'b' });
    cleanup.push(() => a.close(), () => b.close());
    await Promise.all([a.ready(), b.ready()]);
    const atA = listen(a);
    const atB = listen(b);
    for (let i = 0; i < 10; i++) await a.publish({ kind: 'keys', keys: [`k${i}`] });
    // ioredis sends each keyless PUBLISH to a random node and the cluster bus forwards it from
    // there, so two messages may arrive in either order (they are idempotent deletes).
    const heard: string[] = [];
    for (let i = 0; i < 10; i++) {
      const message = await atB.next();
      if (message.kind === 'keys') heard.push(...message.keys);
    }
    expect(heard.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`).sort());
    expect(atB.count).toBe(10);
    await b.publish({ kind: 'tags', tags: ['t'] });
    expect(await atA.next()).toEqual({ kind: 'tags', tags: ['t'] });
    // A's own ten came back to its subscriber too, and were dropped by its id.
    expect(atA.count).toBe(1);
  });
});
