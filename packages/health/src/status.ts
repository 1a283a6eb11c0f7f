/** A health status as draft-inadarei-api-health-check defines it: `warn` is healthy with concerns. */
export type HealthStatus = 'pass' | 'warn' | 'fail';

export const HEALTH_STATUSES = ['pass', 'warn', 'fail'] as const satisfies readonly HealthStatus[];

const RANK: Record<HealthStatus, number> = { pass: 0, warn: 1, fail: 2 };

/** The worse of two statuses. */
export function worse(a: HealthStatus, b: HealthStatus): HealthStatus {
  return RANK[b] > RANK[a] ? b : a;
}
