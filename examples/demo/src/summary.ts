import type { Charge } from '../../payments-express/src/fake-bank.ts';
import type { LoadResult } from './load-generator.ts';
import type { PaymentRecord } from './traffic.ts';

export interface DemoSummary {
  readonly requests: number;
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number };
  readonly outcomes: Readonly<Record<string, number>>;
  readonly retries: number;
  readonly breakerOpens: number;
  readonly breakerCloses: number;
  readonly rateLimited: number;
  readonly shed: number;
  readonly replays: number;
  readonly cacheHitRatio: number;
  readonly staleServed: number;
  readonly payments: { readonly succeeded: number; readonly charges: number; readonly duplicateCharges: number; readonly unchargedSuccesses: number; readonly conflictingAnswers: number };
  readonly views: { readonly accepted: number; readonly persisted: number; readonly lost: number };
  readonly byPhase: readonly { readonly phase: string; readonly requests: number; readonly ok: number }[];
  /** Every invariant that failed; empty when the run is clean. */
  readonly violations: readonly string[];
}

export interface ReconcileInput {
  readonly load: LoadResult;
  readonly counters: { retries: number; breakerOpens: number; breakerCloses: number; cacheHits: number; cacheLookups: number; staleServed: number };
  readonly byPhase: readonly { readonly phase: string; readonly outcomes: ReadonlyMap<string, number> }[];
  readonly ledger: readonly Charge[];
  readonly payments: PaymentRecord;
  readonly viewsAccepted: number;
  readonly viewsPersisted: number;
  readonly bankReference: (client: string, key: string) => string;
}

/** Checks the run against the sources of truth: the bank's ledger and the catalog's database. */
export function reconcile(input: ReconcileInput): DemoSummary {
  const outcomes = Object.fromEntries([...input.load.outcomes].sort(([a], [b]) => a.localeCompare(b)));
  const sum = (test: (outcome: string) => boolean) => Object.entries(outcomes).reduce((n, [outcome, count]) => n + (test(outcome) ? count : 0), 0);

  const chargesByReference = new Map<string, number>();
  for (const charge of input.ledger) chargesByReference.set(charge.reference, (chargesByReference.get(charge.reference) ?? 0) + 1);
  const duplicateCharges = [...chargesByReference.values()].reduce((n, count) => n + (count - 1), 0);
  // Every payment a client was told succeeded must be in the ledger, once.
  let unchargedSuccesses = 0;
  for (const clientKey of input.payments.chargeByKey.keys()) {
    const [client, key] = clientKey.split('\n') as [string, string];
    if (!chargesByReference.has(input.bankReference(client, key))) unchargedSuccesses++;
  }
  const lost = input.viewsAccepted - input.viewsPersisted;

  const violations: string[] = [];
  if (duplicateCharges !== 0) violations.push(`${duplicateCharges} duplicate payment(s) in the bank's ledger`);
  if (unchargedSuccesses !== 0) violations.push(`${unchargedSuccesses} payment(s) answered 201 but not in the ledger`);
  if (input.payments.conflictingAnswers !== 0) violations.push(`${input.payments.conflictingAnswers} replay(s) returned another charge than the first answer`);
  if (lost !== 0) violations.push(`${lost} view count(s) accepted but not persisted`);
  const errors = sum((outcome) => outcome.startsWith('error:'));
  if (errors !== 0) violations.push(`${errors} request(s) failed at the socket (no HTTP answer)`);

  return {
    requests: input.load.sent,
    latencyMs: {
      p50: input.load.latency.percentile(50),
      p95: input.load.latency.percentile(95),
      p99: input.load.latency.percentile(99),
      max: input.load.latency.max,
    },
    outcomes,
    retries: input.counters.retries,
    breakerOpens: input.counters.breakerOpens,
    breakerCloses: input.counters.breakerCloses,
    rateLimited: sum((outcome) => outcome.endsWith(':429')),
    shed: sum((outcome) => outcome === 'payment:503'),
    replays: sum((outcome) => outcome.endsWith(':replayed')),
    cacheHitRatio: input.counters.cacheLookups === 0 ? 0 : input.counters.cacheHits / input.counters.cacheLookups,
    staleServed: input.counters.staleServed,
    payments: {
      succeeded: input.payments.chargeByKey.size,
      charges: input.ledger.length,
      duplicateCharges,
      unchargedSuccesses,
      conflictingAnswers: input.payments.conflictingAnswers,
    },
    views: { accepted: input.viewsAccepted, persisted: input.viewsPersisted, lost },
    byPhase: input.byPhase.map(({ phase, outcomes: counts }) => {
      let requests = 0;
      let ok = 0;
      for (const [outcome, count] of counts) {
        requests += count;
        if (/:2\d\d/.test(outcome)) ok += count;
      }
      return { phase, requests, ok };
    }),
    violations,
  };
}

export function formatSummary(summary: DemoSummary): string {
  const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} ms`;
  const lines = [
    '',
    '── summary ──────────────────────────────────────────────────────────────',
    `requests served      ${summary.requests}   p50 ${ms(summary.latencyMs.p50)}   p95 ${ms(summary.latencyMs.p95)}   p99 ${ms(summary.latencyMs.p99)}   max ${ms(summary.latencyMs.max)}`,
    `bank retries         ${summary.retries}   breaker opened ${summary.breakerOpens}×, closed again ${summary.breakerCloses}×`,
    `rate limited (429)   ${summary.rateLimited}   payments shed or bank unavailable (503) ${summary.shed}`,
    `idempotent replays   ${summary.replays}`,
    `cache hit ratio      ${(summary.cacheHitRatio * 100).toFixed(1)} %   stale served while the database failed: ${summary.staleServed}`,
    `payments             ${summary.payments.succeeded} succeeded, ${summary.payments.charges} charges in the bank's ledger`,
    `view counts          ${summary.views.accepted} accepted, ${summary.views.persisted} persisted`,
    '',
    'by phase:',
    ...summary.byPhase.map(({ phase, requests, ok }) => `  ${String(ok).padStart(6)} / ${String(requests).padEnd(6)} 2xx   ${phase}`),
    '',
    'outcomes (client-overload: due while the load generator had its cap of requests in flight, not sent):',
    `  ${Object.entries(summary.outcomes).map(([outcome, count]) => `${outcome} ${count}`).join(' · ')}`,
    '',
    summary.violations.length === 0
      ? `✔ ${summary.payments.duplicateCharges} duplicate payments, ${summary.views.lost} lost writes (checked against the bank's ledger and the database)`
      : `✘ ${summary.violations.join('; ')}`,
  ];
  return lines.join('\n');
}
