import { afterEach, describe, expect, it, vi } from 'vitest';
import express, { type Express } from 'express';
import { rateLimit } from '@breakwater/rate-limit';
import { rateLimiting, TRUST_PROXY_WARNING } from '@breakwater/express';
import { listen, manualClock, type Running } from './helpers.ts';

// Its own file: the warning is once per process (per module instance), and vitest gives each file its own.
const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

async function app(trust: unknown): Promise<string> {
  const app: Express = express();
  app.set('trust proxy', trust);
  const limiter = rateLimit({ limits: { quota: 2, windowMs: 60_000, name: 'per-minute' }, clock: manualClock().clock });
  app.use(rateLimiting({ limiter }));
  app.get('/', (_req, res) => void res.json({ ok: true }));
  const server = await listen(app);
  running.push(server);
  return server.url;
}

describe('rateLimiting() and trust proxy', () => {
  it("stays quiet for a hop count or the proxies' addresses", async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    for (const trust of [false, 1, 'loopback', '10.0.0.0/8, 127.0.0.1']) expect((await fetch(await app(trust))).status).toBe(200);
    expect(warn.mock.calls.filter(([, options]) => (options as { code?: string } | undefined)?.code === TRUST_PROXY_WARNING)).toEqual([]);
  });

  it('warns once per process, with a code, when `trust proxy` is true; the spoofable limit still answers', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const url = await app(true);
    const other = await app(true);
    for (let i = 0; i < 3; i++) await fetch(url, { headers: { 'x-forwarded-for': '198.51.100.1' } });
    await fetch(other);
    const ours = warn.mock.calls.filter(([, options]) => (options as { code?: string } | undefined)?.code === TRUST_PROXY_WARNING);
    expect(ours).toHaveLength(1);
    expect(ours[0]![0]).toMatch(/^Express's `trust proxy` setting `true` trusts every proxy/);
    expect(ours[0]![1]).toEqual({ type: 'BreakwaterWarning', code: 'BREAKWATER_RATE_LIMIT_TRUST_PROXY' });
    // With trust proxy true the left-most entry is the key: a client that rotates it is never limited. Hence the warning.
    const statuses = [];
    for (let i = 1; i <= 4; i++) statuses.push((await fetch(url, { headers: { 'x-forwarded-for': `198.51.100.${10 + i}` } })).status);
    expect(statuses).toEqual([200, 200, 200, 200]);
  });
});
