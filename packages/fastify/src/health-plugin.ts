import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { fastifyPlugin } from 'fastify-plugin';
import { assertKnownOptions, assertMethods, withDefaults } from '@breakwater/core';
import { HEALTH_PATH_DEFAULTS, resolveExposeDetails, resolveHealthPaths, toHealthResponse, type HealthPaths, type HealthProbes, type HealthReport, type Probe } from '@breakwater/health';
import type {} from './route-config.ts';

export interface HealthPluginOptions {
  /** From `createHealth()`. Required. */
  readonly health: HealthProbes;
  /** @default { live: '/health/live', ready: '/health/ready', startup: '/health/startup' } */
  readonly paths?: HealthPaths;
  /**
   * Put error text, observed values and times in the body: `true`, or a function of the request
   * (e.g. an authenticated operator). Without it a body holds statuses and check names only.
   * @default health.exposeDetails (false unless createHealth() was told otherwise)
   */
  readonly exposeDetails?: boolean | ((request: FastifyRequest) => boolean);
}


const healthPlugin: FastifyPluginAsync<HealthPluginOptions> = async function breakwaterHealth(fastify, options) {
  const config = withDefaults('breakwaterHealth', { paths: HEALTH_PATH_DEFAULTS as HealthPaths }, options);
  assertKnownOptions('breakwaterHealth', config, ['health', 'paths', 'exposeDetails']);
  const { health } = config;
  assertMethods('health', health, ['live', 'ready', 'startup']);
  const paths = resolveHealthPaths(config.paths);
  const exposeDetails = resolveExposeDetails<FastifyRequest>(config.exposeDetails, health);
  const probes: [string, Probe][] = [
    [paths.live, 'liveness'],
    [paths.ready, 'readiness'],
    [paths.startup, 'startup'],
  ];
  for (const [url, probe] of probes) {
    const run = (): Promise<HealthReport> => (probe === 'liveness' ? health.live() : probe === 'readiness' ? health.ready() : health.startup());
    fastify.get(
      url,
      // Probes are never shed nor cut short by a request deadline: each check has its own timeout.
      { config: { breakwater: { loadShedding: false, deadline: false, rateLimit: false } } },
      async function breakwaterHealthProbe(request: FastifyRequest, reply: FastifyReply) {
        const { statusCode, headers, body } = toHealthResponse(await run(), { exposeDetails: exposeDetails(request) });
        // A Buffer, so Fastify adds no `; charset=utf-8`: the same header Express sends.
        return reply.code(statusCode).headers(headers).send(Buffer.from(JSON.stringify(body)));
      },
    );
  }
};



/**
 * GET (and HEAD) `/health/live`, `/health/ready` and `/health/startup`: 200 for pass and warn,
 * 503 for fail, `application/health+json`, `Cache-Control: no-store`. The routes opt out of
 * Breakwater's load shedding and deadlines.
 *
 * @example
 * const health = createHealth();
 * await app.register(breakwaterHealth, { health });
 * await app.listen({ port: 3000 });
 * health.markStarted();
 */
export const breakwaterHealth = fastifyPlugin(healthPlugin, { fastify: '5.x', name: '@breakwater/fastify-health' });
