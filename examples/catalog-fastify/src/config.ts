import { randomUUID } from 'node:crypto';

/** The service's settings, from the environment, with embedded defaults so it runs with none. */
export interface CatalogConfig {
  /** `PORT`, default 3001 (0 picks a free one). */
  readonly port: number;
  /** `DB_PATH`: the SQLite file, default in memory (give several instances one file to share it). */
  readonly dbPath: string;
  /** `REDIS_URL`; set, products are cached in Redis too (L2) and invalidations reach every instance. */
  readonly redisUrl: string | undefined;
  /** `INSTANCE_ID`: whose view-count rows this instance writes; default a random id per start. */
  readonly instance: string;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): CatalogConfig {
  const port = Number(env.PORT ?? 3001);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`PORT must be an integer from 0 to 65535, got ${env.PORT}`);
  return { port, dbPath: env.DB_PATH || ':memory:', redisUrl: env.REDIS_URL || undefined, instance: env.INSTANCE_ID || randomUUID().slice(0, 8) };
}
