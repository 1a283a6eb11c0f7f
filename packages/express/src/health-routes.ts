import type { NextFunction, Request, Response } from 'express';
import { assertKnownOptions, assertMethods, describeValue, invalidOption, withDefaults } from '@breakwater/core';
import { HEALTH_PATH_DEFAULTS, resolveExposeDetails, resolveHealthPaths, toHealthResponse, type HealthPaths, type HealthProbes, type HealthReport, type Probe } from '@breakwater/health';

export interface HealthRoutesOptions {
  /** @default { live: '/health/live', ready: '/health/ready', startup: '/health/startup' } */
  readonly paths?: HealthPaths;
  /**
   * Put error text, observed values and times in the body: `true`, or a function of the request
   * (e.g. an authenticated operator). Without it a body holds statuses and check names only.
   * @default health.exposeDetails (false unless createHealth() was told otherwise)
   */
  readonly exposeDetails?: boolean | ((req: Request) => boolean);
}

type Handler = (req: Request, res: Response, next: NextFunction) => void;


/**
 * GET and HEAD `/health/live`, `/health/ready` and `/health/startup` as one middleware: 200 for
 * pass and warn, 503 for fail, `application/health+json`, `Cache-Control: no-store`. Mount it
 * before load shedding, rate limits and authentication, so probes are never shed or refused.
 *
 * @example
 * app.use(healthRoutes(health));
 * app.use(loadShedding({ bulkhead: { capacity: 64 } }));
 */
export function healthRoutes(health: HealthProbes, options?: HealthRoutesOptions): Handler {
  assertHealth(health);
  const config = withDefaults('healthRoutes()', { paths: HEALTH_PATH_DEFAULTS as HealthPaths }, options);
  assertKnownOptions('healthRoutes()', config, ['paths', 'exposeDetails']);
  const paths = resolveHealthPaths(config.paths);
  const exposeDetails = resolveExposeDetails<Request>(config.exposeDetails, health);
  const byPath = new Map<string, Handler>([
    [paths.live, probeHandler(health, 'liveness', exposeDetails)],
    [paths.ready, probeHandler(health, 'readiness', exposeDetails)],
    [paths.startup, probeHandler(health, 'startup', exposeDetails)],
  ]);
  return function breakwaterHealthRoutes(req, res, next) {
    const handler = req.method === 'GET' || req.method === 'HEAD' ? byPath.get(req.path) : undefined;
    if (handler === undefined) return next();
    handler(req, res, next);
  };
}

/**
 * One probe as a route handler, for routing of your own.
 *
 * @example
 * app.get('/livez', healthHandler(health, 'liveness'));
 */
export function healthHandler(health: HealthProbes, probe: Probe, options?: Pick<HealthRoutesOptions, 'exposeDetails'>): Handler {
  assertHealth(health);
  if (probe !== 'liveness' && probe !== 'readiness' && probe !== 'startup') {
    throw invalidOption(`Expected \`probe\` to be one of \`liveness\`, \`readiness\`, \`startup\`, got ${describeValue(probe)}`, 'range');
  }
  const config = withDefaults('healthHandler()', {}, options);
  assertKnownOptions('healthHandler()', config, ['exposeDetails']);
  return probeHandler(health, probe, resolveExposeDetails<Request>(config.exposeDetails, health));
}

function probeHandler(health: HealthProbes, probe: Probe, exposeDetails: (req: Request) => boolean): Handler {
  const run = (): Promise<HealthReport> => (probe === 'liveness' ? health.live() : probe === 'readiness' ? health.ready() : health.startup());
  return function breakwaterHealth(req, res, next) {
    run()
      .then((report) => {
        const { statusCode, headers, body } = toHealthResponse(report, { exposeDetails: exposeDetails(req) });
        const text = JSON.stringify(body);
        res.writeHead(statusCode, { ...headers, 'content-length': Buffer.byteLength(text) });
        res.end(req.method === 'HEAD' ? undefined : text);
      })
      .then(undefined, next);
  };
}

function assertHealth(health: unknown): asserts health is HealthProbes {
  assertMethods('health', health, ['live', 'ready', 'startup']);
}


