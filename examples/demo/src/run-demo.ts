import { generateLoad } from './load-generator.ts';
import { runSchedule } from './fault-schedule.ts';
import { Progress } from './terminal.ts';
import { demoPhases } from './scenario.ts';
import { startServices } from './services.ts';
import { bankKeyFor } from '../../payments-express/src/bank-key.ts';
import { createTraffic, type TrafficShape } from './traffic.ts';
import { reconcile, type DemoSummary } from './summary.ts';

export interface DemoOptions {
  /** Length of each of the 7 phases, in ms. @default 6000 */
  readonly phaseMs?: number;
  /** Requests per second across both services. @default 150 */
  readonly rate?: number;
  /** Set: two instances of each service share this Redis. */
  readonly redisUrl?: string;
  /** Where progress goes. @default a Progress on stdout */
  readonly progress?: Pick<Progress, 'status' | 'event' | 'done'>;
}

/**
 * Starts the example services and a fault-injecting bank, drives a steady mixed load through a
 * schedule of faults, then stops everything and reconciles what happened from the sources of truth
 * (the bank's ledger, the catalog's database).
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const { phaseMs = 6_000, rate = 150, redisUrl } = options;
  const progress = options.progress ?? new Progress();
  const services = await startServices({ redisUrl, paymentsRatePerSecond: 15 });
  const shape: TrafficShape = { duplicateShare: 0.02, hotClientShare: 0 };
  const traffic = createTraffic(services, shape);
  const counters = { retries: 0, breakerOpens: 0, breakerCloses: 0, cacheHits: 0, cacheLookups: 0, staleServed: 0 };
  for (const { service } of services.payments) {
    service.bankFetch.onRetry(() => void counters.retries++);
    service.bankFetch.onBreaker(({ breaker }) =>
      breaker.onStateChange(({ to }) => {
        if (to === 'open') counters.breakerOpens++;
        if (to === 'closed') counters.breakerCloses++;
        progress.event(`    bank breaker → ${to}`);
      }),
    );
  }
  for (const { service } of services.catalogs) {
    service.caches.products.onGet(({ tier, result }) => {
      if (tier !== 'l1') return;
      counters.cacheLookups++;
      if (result !== 'miss') counters.cacheHits++;
    });
    service.caches.products.onLoad(({ servedStale }) => {
      if (servedStale) counters.staleServed++;
    });
  }

  const phases = demoPhases(services, shape, phaseMs);
  const byPhase = phases.map((phase) => ({ phase: phase.name, outcomes: new Map<string, number>() }));
  let current = 0;
  let sent = 0;
  let failed = 0;
  const started = performance.now();
  const ticker = setInterval(() => {
    const seconds = ((performance.now() - started) / 1_000).toFixed(0).padStart(3);
    progress.status(`[${seconds}s] ${sent} requests, ${failed} 5xx · retries ${counters.retries} · breaker opens ${counters.breakerOpens} · cache hits ${counters.cacheHits}/${counters.cacheLookups}`);
  }, 250);

  progress.event(`Breakwater demo: ${services.payments.length} payments + ${services.catalogs.length} catalog instance(s)${redisUrl === undefined ? ' on memory stores' : ' sharing Redis'}, ${rate} req/s, ${phases.length} phases of ${(phaseMs / 1000).toFixed(1)} s`);
  const controller = new AbortController();
  const schedule = runSchedule(phases, (phase, index) => {
    current = index;
    progress.event(`── ${index + 1}/${phases.length} ${phase.name}`);
  }, controller.signal);
  const load = await generateLoad({
    rate,
    maxInFlight: 256,
    durationMs: phaseMs * phases.length,
    send: traffic.send,
    onOutcome: (outcome) => {
      sent++;
      if (/:5\d\d/.test(outcome) || outcome.startsWith('error:')) failed++;
      const counts = byPhase[current]!.outcomes;
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    },
  });
  controller.abort();
  await schedule;
  clearInterval(ticker);
  progress.done();

  const viewsAccepted = services.catalogs.reduce((sum, { service }) => sum + service.counter.accepted, 0);
  const ledger = [...services.bank.ledger];
  const { viewsPersisted } = await services.stop();
  return reconcile({
    load,
    counters,
    byPhase,
    ledger,
    payments: traffic.payments,
    viewsAccepted,
    viewsPersisted,
    // The traffic sends each key as an sf-string, as the IETF draft asks.
    bankReference: (client, key) => bankKeyFor(client, `"${key}"`),
  });
}
