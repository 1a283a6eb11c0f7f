import { Registry } from 'prom-client';
import { createHealth, redisCheck, breakerCheck, type Health } from '@breakwater/health';
import { idempotency, type Idempotency } from '@breakwater/idempotency';
import { createMetrics } from '@breakwater/metrics';
import { rateLimit, type RateLimiter } from '@breakwater/rate-limit';
import type { Express } from 'express';
import { createPaymentsApp } from './app.ts';
import { createBankClient } from './bank-client.ts';
import type { ResilientFetch } from '@breakwater/fetch';
import type { PaymentsConfig } from './config.ts';
import { createStores, type Stores } from './stores.ts';

export interface PaymentsService {
  readonly app: Express;
  readonly health: Health;
  readonly limiter: RateLimiter;
  readonly idempotency: Idempotency;
  readonly registry: Registry;
  readonly stores: Stores;
  /** The bank client's resilient fetch: its events (retries, breakers) for dashboards and the demo. */
  readonly bankFetch: ResilientFetch;
  /** Closes what the service owns, for graceful shutdown (the HTTP server is drained first). */
  readonly resources: readonly { readonly name: string; close(): Promise<void> | void }[];
}

/** Wires the service: stores (memory or Redis), limiter, idempotency, bank client, health and metrics. */
export function createPaymentsService(config: PaymentsConfig & { readonly bankUrl: string }): PaymentsService {
  const stores = createStores(config.redisUrl);
  const registry = new Registry();
  const metrics = createMetrics({ registry });
  const limiter = rateLimit({
    name: 'payments-api',
    limits: { name: 'per-second', quota: config.ratePerSecond, windowMs: 1_000 },
    ...(stores.rateLimit === undefined ? {} : { store: stores.rateLimit }),
  });
  const once = idempotency({ name: 'payments', store: stores.idempotency });
  const bank = createBankClient(config.bankUrl);
  const health = createHealth();

  metrics.bind(limiter);
  metrics.bind(once);
  metrics.bindHealth(health);
  if (bank.fetch.retry !== undefined) metrics.bind(bank.fetch.retry, { name: 'bank-retry' });
  bank.fetch.onBreaker(({ breaker }) => {
    metrics.bind(breaker, { name: 'bank-breaker' });
    // An open breaker to the bank makes the service degraded, not unready: it still answers
    // replays and rejects new payments fast.
    health.register('bank-breaker', breakerCheck(breaker, { whenOpen: 'warn' }));
  });
  if (stores.redis !== undefined) health.register('redis', redisCheck(stores.redis));
  health.markStarted();

  const app = createPaymentsApp({ bank, limiter, idempotency: once, health, metrics, registry });
  return {
    app,
    health,
    limiter,
    idempotency: once,
    registry,
    stores,
    bankFetch: bank.fetch,
    resources: [
      { name: 'idempotency', close: () => once.close() },
      { name: 'stores', close: () => stores.close() },
    ],
  };
}
