import { assertBoolean, assertKnownOptions, withDefaults } from '@breakwater/core';
import type { HealthReport } from './report.ts';
import type { HealthStatus } from './status.ts';

/** The media type of draft-inadarei-api-health-check. */
export const HEALTH_CONTENT_TYPE = 'application/health+json';

/** One check in a response body. Public bodies carry `status` alone. */
export interface HealthBodyCheck {
  readonly status: HealthStatus;
  readonly componentType?: string;
  readonly observedValue?: unknown;
  readonly observedUnit?: string;
  readonly time?: string;
  readonly output?: string;
}

/** An `application/health+json` body. */
export interface HealthBody {
  readonly status: HealthStatus;
  readonly checks: Readonly<Record<string, readonly HealthBodyCheck[]>>;
}

/** What an adapter sends: `body` is to be serialised with `JSON.stringify`. */
export interface HealthResponse {
  /** 200 for `pass` and `warn`, 503 for `fail`. */
  readonly statusCode: 200 | 503;
  readonly headers: { readonly 'content-type': string; readonly 'cache-control': 'no-store' };
  readonly body: HealthBody;
}

export interface HealthResponseOptions {
  /**
   * Include error text (`output`), observed values, units, component types and times. Without
   * it a body holds the overall status and, per check name, its status: nothing an attacker
   * could learn a hostname, a DSN or a version from.
   * @default false
   */
  readonly exposeDetails?: boolean;
}

/**
 * Turns a report into the HTTP response both adapters send: 200 for pass or warn, 503 for fail
 * (the draft: 2xx–3xx healthy, 4xx–5xx unhealthy), `application/health+json`,
 * `Cache-Control: no-store` (a cached 200 must never hide a failing pod).
 */
export function toHealthResponse(report: HealthReport, options?: HealthResponseOptions): HealthResponse {
  const config = withDefaults('toHealthResponse()', { exposeDetails: false }, options);
  assertKnownOptions('toHealthResponse()', config, ['exposeDetails']);
  const { exposeDetails } = config;
  assertBoolean('exposeDetails', exposeDetails);
  const checks: Record<string, HealthBodyCheck[]> = {};
  for (const [key, results] of Object.entries(report.checks)) {
    checks[key] = results.map((result) => {
      if (!exposeDetails) return { status: result.status };
      const { critical: _critical, ...detail } = result;
      return detail;
    });
  }
  return {
    statusCode: report.status === 'fail' ? 503 : 200,
    headers: { 'content-type': HEALTH_CONTENT_TYPE, 'cache-control': 'no-store' },
    body: { status: report.status, checks },
  };
}
