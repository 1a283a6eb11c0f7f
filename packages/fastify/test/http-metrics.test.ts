import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { breakwaterHttpMetrics, metricsHandler, type HttpRequestSample } from '@breakwater/fastify';
import { app, Inbox, listen, manualClock } from './helpers.ts';

describe('breakwaterHttpMetrics', () => {
  let server: FastifyInstance | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('reports method, route template, status and duration once each reply is sent', async () => {
    const samples = new Inbox<HttpRequestSample>();
    const time = manualClock();
    server = app();
    await server.register(breakwaterHttpMetrics, { observe: (sample) => samples.push(sample), clock: time.clock });
    server.get('/items/:id', async (request, reply) => {
      time.advance(25);
      const { id } = request.params as { id: string };
      return reply.code(Number(id) > 100 ? 503 : 200).send({ id });
    });
    server.post('/orders', async (_request, reply) => reply.code(201).send());
    const url = await listen(server);

    await fetch(`${url}/items/7`);
    expect(await samples.next()).toEqual({ method: 'GET', route: '/items/:id', status: 200, durationMs: 25 });
    await fetch(`${url}/items/500`);
    expect(await samples.next()).toMatchObject({ route: '/items/:id', status: 503 });
    await fetch(`${url}/orders`, { method: 'POST' });
    expect(await samples.next()).toMatchObject({ method: 'POST', route: '/orders', status: 201 });
    await fetch(`${url}/nowhere`);
    expect(await samples.next()).toMatchObject({ method: 'GET', route: undefined, status: 404 });
    expect(samples.count).toBe(4);
  });

  it('rejects a missing observer when registered', async () => {
    server = app();
    await expect(server.register(breakwaterHttpMetrics, {} as never)).rejects.toThrow('Expected `observe` to be a function, got `undefined` (undefined)');
  });
});

describe('metricsHandler()', () => {
  let server: FastifyInstance | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("answers with the registry's text and content type", async () => {
    const registry = { contentType: 'text/plain; version=0.0.4; charset=utf-8', metrics: async () => 'breakwater_up 1\n' };
    server = app();
    server.get('/metrics', metricsHandler(registry));
    const url = await listen(server);
    const res = await fetch(`${url}/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await res.text()).toBe('breakwater_up 1\n');
  });
});
