import { afterEach, describe, expect, it, vi } from 'vitest';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { rateLimit } from '@breakwater/rate-limit';
import { breakwaterRateLimit, TRUST_PROXY_WARNING } from '@breakwater/fastify';
import { listen, manualClock } from './helpers.ts';

// Its own file: the warning is once per process (per module instance), and vitest gives each file its own.
const servers: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function app(trustProxy: FastifyServerOptions['trustProxy']): Promise<string> {
  const app = Fastify({ forceCloseConnections: true, trustProxy });
  servers.push(app);
  const limiter = rateLimit({ limits: { quota: 2, windowMs: 60_000, name: 'per-minute' }, clock: manualClock().clock });
  await app.register(async (scope) => {
    // Registered in a child scope too: the setting is found on the root instance.
    await scope.register(breakwaterRateLimit, { limiter });
    scope.get('/', async () => ({ ok: true }));
  });
  return listen(app);
}

const ours = (warn: { mock: { calls: unknown[][] } }) => warn.mock.calls.filter(([, options]) => (options as { code?: string } | undefined)?.code === TRUST_PROXY_WARNING);

describe('breakwaterRateLimit and trustProxy', () => {
  it("stays quiet for a hop count or the proxies' addresses", async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    for (const trust of [false, 1, 'loopback', ['10.0.0.0/8', '127.0.0.1']] as const) expect((await fetch(await app(trust as FastifyServerOptions['trustProxy']))).status).toBe(200);
    expect(ours(warn)).toEqual([]);
  });

  it('warns once per process, with a code, for trustProxy: true', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const url = await app(true);
    await app(true);
    const seen = ours(warn);
    expect(seen).toHaveLength(1);
    expect(seen[0]![0]).toMatch(/^Fastify's `trustProxy: true` trusts every proxy/);
    expect(seen[0]![1]).toEqual({ type: 'BreakwaterWarning', code: 'BREAKWATER_RATE_LIMIT_TRUST_PROXY' });
    // With trustProxy true the left-most entry is the key: a client that rotates it is never limited. Hence the warning.
    const statuses = [];
    for (let i = 1; i <= 4; i++) statuses.push((await fetch(url, { headers: { 'x-forwarded-for': `198.51.100.${i}` } })).status);
    expect(statuses).toEqual([200, 200, 200, 200]);
  });
});
