/**
 * Idempotency keys over HTTP with a real redis-server shared by two app instances (as two
 * processes behind a load balancer would share it), run against Express and Fastify with the
 * routes of {@link StartScenarioApp}.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from 'breakwater-test-utils';
import { idempotency } from '../src/index.ts';
import { redisStore } from '../src/redis/index.ts';
import { send, type ScenarioApp, type ScenarioSpec, type StartScenarioApp } from './http-scenarios.ts';

const key = (value: string): string[] => ['idempotency-key', value];

export function redisScenarios(framework: string, start: StartScenarioApp): void {
  describe(`idempotency keys on one Redis shared by two app instances (${framework})`, () => {
    let redis: RedisServer;
    let prefixes = 0;
    const apps: ScenarioApp[] = [];
    const extra: RedisServer[] = [];
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(async () => {
      await redis.stop();
    });
    afterEach(async () => {
      await Promise.all(apps.splice(0).map((app) => app.close()));
      await Promise.all(extra.splice(0).map((server) => server.stop()));
    });

    /** Two apps, each with its own idempotency object and Redis connection, on one server. */
    async function pair(server: RedisServer = redis, spec: Partial<ScenarioSpec> = {}): Promise<[ScenarioApp, ScenarioApp]> {
      const prefix = `bw:http-test:${++prefixes}:`;
      const one = await start({ idempotency: idempotency({ store: redisStore(await server.client(), { prefix }) }), ...spec });
      apps.push(one);
      const two = await start({ idempotency: idempotency({ store: redisStore(await server.client(), { prefix }) }), ...spec });
      apps.push(two);
      return [one, two];
    }

    it('replays on instance B what ran on instance A, and answers 422 there to a different body', async () => {
      const [a, b] = await pair();
      const first = await send(a.url, 'POST', '/orders', { headers: key('r-1'), body: '{"qty":1,"item":"x"}' });
      expect(first.status).toBe(201);
      const replay = await send(b.url, 'POST', '/orders', { headers: key('r-1'), body: '{"item":"x","qty":1}' });
      expect(replay.status).toBe(201);
      expect(replay.text).toBe(first.text);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.headers['x-order-id']).toBe('1');
      expect(replay.headers['set-cookie']).toBeUndefined();
      const mismatch = await send(b.url, 'POST', '/orders', { headers: key('r-1'), body: '{"qty":2}' });
      expect(mismatch.status).toBe(422);
      expect(a.calls['orders']).toBe(1);
      expect(b.calls['orders'] ?? 0).toBe(0);
    });

    it('answers 409 with Retry-After on B while A runs the key, then replays A\'s answer on B', async () => {
      const [a, b] = await pair();
      const running = send(a.url, 'POST', '/gated', { headers: key('r-2'), body: '{}' });
      const gate = await a.gates.next();
      const conflict = await send(b.url, 'POST', '/gated', { headers: key('r-2'), body: '{}' });
      expect(conflict.status).toBe(409);
      expect(Number(conflict.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      gate.release(201);
      expect((await running).status).toBe(201);
      // A's record is written before its response left (the capture holds the end until then).
      const replay = await send(b.url, 'POST', '/gated', { headers: key('r-2'), body: '{}' });
      expect(replay).toMatchObject({ status: 201, json: { gated: 1 } });
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(b.calls['gated'] ?? 0).toBe(0);
    });

    it('keeps tenants apart across instances', async () => {
      const [a, b] = await pair(redis, { scoped: true });
      await send(a.url, 'POST', '/orders', { headers: ['x-tenant', 't1', ...key('r-3')], body: '{"n":1}' });
      const other = await send(b.url, 'POST', '/orders', { headers: ['x-tenant', 't2', ...key('r-3')], body: '{"n":2}' });
      expect(other.status).toBe(201);
      expect(other.headers['idempotent-replayed']).toBeUndefined();
      const own = await send(b.url, 'POST', '/orders', { headers: ['x-tenant', 't1', ...key('r-3')], body: '{"n":1}' });
      expect(own.headers['idempotent-replayed']).toBe('true');
    });

    it('releases a 5xx on A so the retry runs on B', async () => {
      const [a, b] = await pair();
      expect((await send(a.url, 'POST', '/fail', { headers: key('r-4'), body: '{}' })).status).toBe(500);
      // /fail fails on each instance's first call: B's first call fails too, its second runs.
      expect((await send(b.url, 'POST', '/fail', { headers: key('r-4'), body: '{}' })).status).toBe(500);
      const ok = await send(b.url, 'POST', '/fail', { headers: key('r-4'), body: '{}' });
      expect(ok.status).toBe(201);
      expect((await send(a.url, 'POST', '/fail', { headers: key('r-4'), body: '{}' })).headers['idempotent-replayed']).toBe('true');
      expect(a.calls['fail']).toBe(1);
      expect(b.calls['fail']).toBe(2);
    });

    it('answers 503 with Retry-After on both instances once Redis is killed, and runs nothing', async () => {
      const server = await startRedis();
      extra.push(server);
      const [a, b] = await pair(server);
      expect((await send(a.url, 'POST', '/orders', { headers: key('before'), body: '{}' })).status).toBe(201);
      await server.kill();
      for (const app of [a, b]) {
        const answer = await send(app.url, 'POST', '/orders', { headers: key('r-5'), body: '{}' });
        expect(answer.status).toBe(503);
        expect(answer.headers['retry-after']).toBe('1');
        expect(answer.json).toMatchObject({ status: 503, title: 'Service Unavailable' });
        // A replay needs the store as much as a first run does.
        expect((await send(app.url, 'POST', '/orders', { headers: key('before'), body: '{}' })).status).toBe(503);
      }
      expect(a.calls['orders']).toBe(1);
      expect(b.calls['orders'] ?? 0).toBe(0);
    });
  });
}
