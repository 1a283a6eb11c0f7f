import { createFetch, isReplayableBody } from '@breakwater/fetch';
import { manualClock } from 'breakwater-test-utils';
import { describe, expect, it } from 'vitest';
import { bodyOf, drive, reply, serve, until } from './helpers.ts';

function client(options: Parameters<typeof createFetch>[0] = {}) {
  const manual = manualClock();
  const fetch = createFetch({
    clock: manual.clock,
    timeout: false,
    attemptTimeout: false,
    breaker: false,
    retry: { budget: false, baseDelay: 10, jitter: 'none' },
    ...options,
  });
  return { fetch, manual };
}

describe('unsafe methods and bodies', () => {
  it('does not retry a POST without an Idempotency-Key', async () => {
    const server = await serve((_req, res) => reply(res, 503));
    const { fetch } = client();
    const res = await fetch(server.url, { method: 'POST', body: 'order' });
    expect(res.status).toBe(503);
    expect(server.hits).toHaveLength(1);
    expect(server.hits[0]!.headers['idempotency-key']).toBeUndefined();
  });

  it('attaches one generated Idempotency-Key and retries with the same key and body', async () => {
    const bodies: string[] = [];
    const server = await serve(async (req, res, n) => {
      bodies.push(await bodyOf(req));
      reply(res, n === 0 ? 503 : 201);
    });
    const { fetch, manual } = client({ idempotencyKey: true });
    const res = await drive(manual, fetch(server.url, { method: 'POST', body: JSON.stringify({ sku: 1 }), headers: { 'content-type': 'application/json' } }));
    expect(res.status).toBe(201);
    expect(server.hits).toHaveLength(2);
    const [first, second] = server.hits.map((req) => req.headers['idempotency-key']);
    expect(first).toMatch(/^"[0-9a-f-]{36}"$/);
    expect(second).toBe(first);
    expect(bodies).toEqual(['{"sku":1}', '{"sku":1}']);
    expect(server.hits[1]!.headers['content-type']).toBe('application/json');
  });

  it('generates a new key per call, not per client', async () => {
    const server = await serve((_req, res) => reply(res, 201));
    const { fetch } = client({ idempotencyKey: true });
    await (await fetch(server.url, { method: 'POST', body: 'a' })).text();
    await (await fetch(server.url, { method: 'POST', body: 'b' })).text();
    expect(server.hits[0]!.headers['idempotency-key']).not.toBe(server.hits[1]!.headers['idempotency-key']);
  });

  it("keeps the caller's own key and retries on it even when generation is off", async () => {
    const server = await serve((_req, res, n) => reply(res, n === 0 ? 500 : 200));
    const { fetch, manual } = client();
    const res = await drive(manual, fetch(new Request(server.url, { method: 'PATCH', headers: { 'Idempotency-Key': 'k-1' } })));
    expect(res.status).toBe(200);
    expect(server.hits.map((req) => req.headers['idempotency-key'])).toEqual(['k-1', 'k-1']);
  });

  it('takes a per-request key, and idempotencyKey: false leaves a POST unretried', async () => {
    const server = await serve((_req, res, n) => reply(res, n === 0 ? 503 : 200));
    const { fetch, manual } = client({ idempotencyKey: true });
    expect((await fetch(server.url, { method: 'POST', body: 'x', breakwater: { idempotencyKey: false } })).status).toBe(503);
    const res = await drive(manual, fetch(server.url, { method: 'POST', body: 'x', breakwater: { idempotencyKey: 'order-42' } }));
    expect(res.status).toBe(200);
    expect(server.hits.map((req) => req.headers['idempotency-key'])).toEqual([undefined, 'order-42']);
  });

  it.each([
    ['a string', () => 'payload'],
    ['a Uint8Array', () => new TextEncoder().encode('payload')],
    ['an ArrayBuffer', () => new TextEncoder().encode('payload').buffer],
    ['a Blob', () => new Blob(['payload'])],
    ['URLSearchParams', () => new URLSearchParams({ payload: '' })],
  ])('re-sends %s body on a retried PUT', async (_name, make) => {
    const bodies: string[] = [];
    const server = await serve(async (req, res, n) => {
      bodies.push(await bodyOf(req));
      reply(res, n === 0 ? 503 : 200);
    });
    const { fetch, manual } = client();
    const res = await drive(manual, fetch(server.url, { method: 'PUT', body: make() }));
    expect(res.status).toBe(200);
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toBe(bodies[0]);
    expect(bodies[0]).toMatch(/^payload=?$/);
  });

  it('re-sends FormData on a retried POST with a key', async () => {
    const bodies: string[] = [];
    const server = await serve(async (req, res, n) => {
      bodies.push(await bodyOf(req));
      reply(res, n === 0 ? 503 : 200);
    });
    const { fetch, manual } = client({ idempotencyKey: true });
    const form = new FormData();
    form.set('field', 'value');
    const res = await drive(manual, fetch(server.url, { method: 'POST', body: form }));
    expect(res.status).toBe(200);
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toContain('value');
    expect(bodies[1]).toContain('value');
  });

  it('never retries a ReadableStream body (it is read once), even with a key on a PUT', async () => {
    const bodies: string[] = [];
    const server = await serve(async (req, res) => {
      bodies.push(await bodyOf(req));
      reply(res, 503);
    });
    const { fetch } = client({ idempotencyKey: true });
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    const res = await fetch(server.url, { method: 'PUT', body: stream, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(503);
    await res.text();
    expect(bodies).toEqual(['streamed']);
  });

  it('never retries a Request input that carries a body (its stream cannot be told apart from an upload)', async () => {
    const server = await serve(async (req, res) => {
      await bodyOf(req);
      reply(res, 503);
    });
    const { fetch } = client();
    const res = await fetch(new Request(server.url, { method: 'PUT', body: 'x' }));
    expect(res.status).toBe(503);
    expect(server.hits).toHaveLength(1);
  });

  it('classifies bodies', () => {
    expect(isReplayableBody(undefined)).toBe(true);
    expect(isReplayableBody(new DataView(new ArrayBuffer(1)))).toBe(true);
    expect(isReplayableBody(new ReadableStream())).toBe(false);
    expect(isReplayableBody((async function* () {})())).toBe(false);
    expect(isReplayableBody({})).toBe(false);
  });
});

describe('keyed requests and the idempotency server', () => {
  it('waits and retries a 409 + Retry-After (same key still in flight), and returns a plain 409', async () => {
    const server = await serve((req, res, n) => {
      if (req.url === '/plain') reply(res, 409);
      else if (n === 0) reply(res, 409, { 'retry-after': '1' });
      else reply(res, 201);
    });
    const manual = manualClock();
    const fetch = createFetch({ clock: manual.clock, timeout: false, attemptTimeout: false, breaker: false, retry: { budget: false }, idempotencyKey: true });
    const delays: number[] = [];
    fetch.onRetry((event) => delays.push(event.delayMs));
    const res = await drive(manual, fetch(`${server.url}/keyed`, { method: 'POST', body: 'x' }));
    expect(res.status).toBe(201);
    expect(delays).toEqual([1_000]);
    expect((await fetch(`${server.url}/plain`, { method: 'POST', body: 'x' })).status).toBe(409);
    expect(server.hits).toHaveLength(3);
  });

  it('does not retry a 409 + Retry-After without a key', async () => {
    const server = await serve((_req, res) => reply(res, 409, { 'retry-after': '1' }));
    const fetch = createFetch({ timeout: false, attemptTimeout: false, breaker: false });
    expect((await fetch(server.url, { method: 'PUT', body: 'x' })).status).toBe(409);
    expect(server.hits).toHaveLength(1);
  });

  it('never hedges a POST on its key alone', async () => {
    const server = await serve(() => {});
    const manual = manualClock();
    const fetch = createFetch({ clock: manual.clock, timeout: false, attemptTimeout: false, breaker: false, idempotencyKey: true, hedging: { delay: 10 } });
    const controller = new AbortController();
    const settled = fetch(server.url, { method: 'POST', body: 'x', signal: controller.signal }).catch(() => 'aborted');
    await until(() => server.hits.length === 1, 'the request');
    expect(manual.pending).toBe(0);
    controller.abort();
    expect(await settled).toBe('aborted');
  });
});
