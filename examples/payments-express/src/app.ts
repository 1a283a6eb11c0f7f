import express, { type Express, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import { problemDetails, PROBLEM_CONTENT_TYPE } from '@breakwater/core';
import { healthRoutes, httpMetrics, idempotencyKeys, loadShedding, metricsEndpoint, rateLimiting, requestSignal } from '@breakwater/express';
import type { Health } from '@breakwater/health';
import type { Idempotency } from '@breakwater/idempotency';
import type { BreakwaterMetrics } from '@breakwater/metrics';
import type { RateLimiter } from '@breakwater/rate-limit';
import { BankError, type ChargeResult } from './bank-client.ts';
import { bankKeyFor } from './bank-key.ts';

export interface PaymentsAppDeps {
  readonly bank: { charge(request: { amount: number; currency: string; reference: string }, key: string, signal?: AbortSignal): Promise<ChargeResult> };
  readonly limiter: RateLimiter;
  readonly idempotency: Idempotency;
  readonly health: Health;
  readonly metrics: BreakwaterMetrics;
  readonly registry: Registry;
  /** Payments handled at once (each waits on the bank), and how many more may queue; past that, 503. */
  readonly capacity?: { readonly running: number; readonly queued: number };
}

const CURRENCIES = new Set(['EUR', 'USD', 'GBP']);

/** The client a request speaks for: its API key (the demo's clients send one), else its address. */
const clientOf = (req: Request): string => req.get('x-api-key') ?? `ip:${req.ip}`;

/**
 * `POST /payments` with `Idempotency-Key` (required): each payment runs once per client and key;
 * a retry gets the stored answer back (`Idempotent-Replayed: true`), a retry with another body
 * gets 422, one sent while the first still runs gets 409. Each client is limited to
 * `ratePerSecond` (429 + `Retry-After` + `RateLimit` headers past it); past 64 payments in
 * progress and 64 waiting, more are shed (503 + `Retry-After`). Health probes under
 * `/health/*`, Prometheus metrics at `/metrics`.
 */
export function createPaymentsApp(deps: PaymentsAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // The demo talks to the service directly; behind a proxy, set this to the proxy's hop count.
  app.set('trust proxy', false);
  app.use(httpMetrics({ observe: deps.metrics.httpObserver() }));
  app.use(healthRoutes(deps.health));
  app.get('/metrics', metricsEndpoint(deps.registry));

  const { running = 64, queued = 64 } = deps.capacity ?? {};
  app.post(
    '/payments',
    rateLimiting({ limiter: deps.limiter, key: clientOf }),
    // When the bank slows down, payments pile up waiting on it: past the capacity they are shed
    // at once (503 + Retry-After) rather than queued until every client times out.
    loadShedding({ bulkhead: { capacity: running, queue: queued } }),
    express.json({ limit: '16kb' }),
    idempotencyKeys({ idempotency: deps.idempotency, required: true, scope: clientOf }),
    async (req: Request, res: Response) => {
      const { amount, currency } = (req.body ?? {}) as { amount?: unknown; currency?: unknown };
      if (typeof amount !== 'number' || !Number.isInteger(amount) || amount <= 0 || amount > 1_000_000) {
        return problem(res, 400, 'Invalid amount', '`amount` must be a whole number of cents from 1 to 1000000.');
      }
      if (typeof currency !== 'string' || !CURRENCIES.has(currency)) {
        return problem(res, 400, 'Invalid currency', `\`currency\` must be one of ${[...CURRENCIES].join(', ')}.`);
      }
      const bankKey = bankKeyFor(clientOf(req), req.get('idempotency-key'));
      try {
        const charge = await deps.bank.charge({ amount, currency, reference: bankKey }, bankKey, requestSignal(req));
        return res.status(201).json({ id: charge.id, status: charge.status, amount, currency });
      } catch (error) {
        // A 5xx releases the idempotency claim, so the client may retry the same key later.
        if (error instanceof BankError) return problem(res, 502, 'The bank refused the charge', `The bank answered ${error.status} after retries.`);
        res.set('retry-after', '2');
        return problem(res, 503, 'The bank is unavailable', 'The charge could not reach the bank; retry with the same Idempotency-Key.');
      }
    },
  );
  return app;
}

function problem(res: Response, status: number, title: string, detail: string): Response {
  return res.status(status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify({ ...problemDetails(status, detail), title }));
}
