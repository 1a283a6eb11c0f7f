/** The service's settings, from the environment, with embedded defaults so it runs with none. */
export interface PaymentsConfig {
  /** `PORT`, default 3000 (0 picks a free one). */
  readonly port: number;
  /** `BANK_URL`; unset, the service starts its own fake bank on a free loopback port. */
  readonly bankUrl: string | undefined;
  /** `REDIS_URL`; set, rate limits and idempotency records are shared by every instance through Redis. */
  readonly redisUrl: string | undefined;
  /** `RATE_LIMIT_PER_SECOND` per client (API key, else IP), default 20. */
  readonly ratePerSecond: number;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): PaymentsConfig {
  const port = Number(env.PORT ?? 3000);
  const ratePerSecond = Number(env.RATE_LIMIT_PER_SECOND ?? 20);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`PORT must be an integer from 0 to 65535, got ${env.PORT}`);
  if (!Number.isInteger(ratePerSecond) || ratePerSecond < 1) throw new RangeError(`RATE_LIMIT_PER_SECOND must be a positive integer, got ${env.RATE_LIMIT_PER_SECOND}`);
  return { port, bankUrl: env.BANK_URL || undefined, redisUrl: env.REDIS_URL || undefined, ratePerSecond };
}
