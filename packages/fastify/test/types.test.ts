import { describe, expectTypeOf, it } from 'vitest';
import Fastify, { type FastifyPluginAsync } from 'fastify';
import { bulkhead } from '@breakwater/bulkhead';
import { breakwaterDeadline, breakwaterLoadShedding, type BreakwaterRouteConfig, type DeadlineOptions, type LoadSheddingOptions } from '@breakwater/fastify';

// Checked by `tsc` (the package typecheck); at run time these only register nothing.
describe('types', () => {
  it('types the plugins, their options and the per-route config', () => {
    expectTypeOf(breakwaterDeadline).toEqualTypeOf<FastifyPluginAsync<DeadlineOptions>>();
    expectTypeOf(breakwaterLoadShedding).toEqualTypeOf<FastifyPluginAsync<LoadSheddingOptions>>();
    const app = Fastify();
    void app.register(breakwaterDeadline, { timeout: 1_000, status: 503 });
    void app.register(breakwaterLoadShedding, { bulkhead: bulkhead({ capacity: 4 }), retryAfter: 2 });
    void app.register(breakwaterLoadShedding, { bulkhead: { capacity: 4, queue: 8 } });
    // @ts-expect-error timeout is required
    void app.register(breakwaterDeadline, {});
    // @ts-expect-error only 504 and 503
    void app.register(breakwaterDeadline, { timeout: 1, status: 500 });
    app.get('/a', { config: { breakwater: { deadline: 50, loadShedding: false } } }, async (request) => {
      expectTypeOf(request.signal).toEqualTypeOf<AbortSignal>();
      expectTypeOf(request.routeOptions.config.breakwater).toExtend<BreakwaterRouteConfig | undefined>();
      return 'a';
    });
    app.get('/b', { config: { breakwater: { deadline: false } } }, async () => 'b');
    // @ts-expect-error loadShedding can only be turned off per route
    app.get('/c', { config: { breakwater: { loadShedding: true } } }, async () => 'c');
    void app.close();
  });
});
