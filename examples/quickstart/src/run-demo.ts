import { isTimeoutError } from '@breakwater/core';
import { isCircuitOpenError } from '@breakwater/circuit-breaker';
import { isBulkheadRejectedError } from '@breakwater/bulkhead';
import { createResilientClient } from './client.ts';
import { startFlakyUpstream, type UpstreamMode } from './flaky-upstream.ts';
import { UpstreamError } from './upstream-error.ts';

export interface DemoOptions {
  /** How long each phase of the fault schedule lasts, in ms. @default 4000 */
  readonly phaseMs?: number;
  /** Concurrent callers. @default 16 */
  readonly concurrency?: number;
  /** Randomness for the upstream's failures and the retry jitter. @default Math.random */
  readonly random?: () => number;
  /** Where progress lines go. @default console.log */
  readonly log?: (line: string) => void;
}

export type Outcome = 'ok' | 'breaker-open' | 'shed' | 'timeout' | 'upstream-error' | 'other-error';

export interface DemoSummary {
  readonly requests: number;
  readonly outcomes: Record<Outcome, number>;
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number };
  readonly retries: number;
  readonly breakerOpens: number;
  readonly breakerCloses: number;
  readonly upstreamReceived: Record<string, number>;
  readonly byPhase: readonly { readonly phase: UpstreamMode; readonly requests: number; readonly ok: number }[];
}

const SCHEDULE: readonly UpstreamMode[] = ['healthy', 'flaky', 'slow', 'down', 'healthy'];

/**
 * Runs a bounded load against a local upstream while faults are injected on a schedule, and
 * reports what each policy did. Every request is accounted for in exactly one outcome.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const { phaseMs = 4_000, concurrency = 16, random = Math.random, log = console.log } = options;
  const upstream = await startFlakyUpstream({ random });
  const client = createResilientClient(upstream.url, { random });

  let retries = 0;
  let breakerOpens = 0;
  let breakerCloses = 0;
  client.policies.retries.onRetry(() => void retries++);
  client.policies.breaker.onStateChange(({ to }) => {
    if (to === 'open') breakerOpens++;
    if (to === 'closed') breakerCloses++;
    log(`           breaker → ${to}`);
  });

  const outcomes: Record<Outcome, number> = { ok: 0, 'breaker-open': 0, shed: 0, timeout: 0, 'upstream-error': 0, 'other-error': 0 };
  const latencies: number[] = [];
  const byPhase = SCHEDULE.map((phase) => ({ phase, requests: 0, ok: 0 }));
  let phaseIndex = 0;
  let stopped = false;
  const started = performance.now();

  const worker = async (id: number): Promise<void> => {
    for (let n = 0; !stopped; n++) {
      const t0 = performance.now();
      let outcome: Outcome;
      try {
        await client.get(`/items/${id}-${n}`);
        outcome = 'ok';
      } catch (error) {
        outcome = classify(error);
      }
      latencies.push(performance.now() - t0);
      outcomes[outcome]++;
      // Counted in the phase the request finished in: one that started healthy may meet the next fault.
      const phase = byPhase[phaseIndex]!;
      phase.requests++;
      if (outcome === 'ok') phase.ok++;
      // Callers that fail fast would spin; a short pause keeps the load steady and bounded.
      if (outcome !== 'ok') await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  const progress = setInterval(() => {
    const total = Object.values(outcomes).reduce((a, b) => a + b, 0);
    const seconds = ((performance.now() - started) / 1_000).toFixed(1).padStart(5);
    log(`[${seconds}s] ${SCHEDULE[phaseIndex]!.padEnd(7)} requests=${total} ok=${outcomes.ok} retries=${retries} breaker=${client.policies.breaker.state} in-flight=${client.policies.shed.executing}+${client.policies.shed.queued}`);
  }, 1_000);

  log(`upstream at ${upstream.url}; ${concurrency} callers; phases of ${phaseMs} ms: ${SCHEDULE.join(' → ')}`);
  const workers = Array.from({ length: concurrency }, (_, id) => worker(id));
  for (const [index, mode] of SCHEDULE.entries()) {
    phaseIndex = index;
    upstream.setMode(mode);
    log(`── phase ${index + 1}/${SCHEDULE.length}: upstream ${mode}`);
    await new Promise((resolve) => setTimeout(resolve, phaseMs));
  }
  stopped = true;
  await Promise.all(workers);
  clearInterval(progress);
  await upstream.close();

  const sorted = latencies.sort((a, b) => a - b);
  const pct = (p: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);
  return {
    requests: latencies.length,
    outcomes,
    latencyMs: { p50: pct(50), p95: pct(95), p99: pct(99) },
    retries,
    breakerOpens,
    breakerCloses,
    upstreamReceived: Object.fromEntries([...upstream.received].map(([status, count]) => [status === 0 ? 'hung up by client' : String(status), count])),
    byPhase,
  };
}

function classify(error: unknown): Outcome {
  if (isCircuitOpenError(error)) return 'breaker-open';
  if (isBulkheadRejectedError(error)) return 'shed';
  if (isTimeoutError(error)) return 'timeout';
  if (error instanceof UpstreamError) return 'upstream-error';
  return 'other-error';
}

export function formatSummary(summary: DemoSummary): string {
  const lines = [
    '',
    '── summary ─────────────────────────────────────────────',
    `requests           ${summary.requests}`,
    ...Object.entries(summary.outcomes).map(([outcome, count]) => `  ${outcome.padEnd(17)}${count}`),
    `latency            p50 ${summary.latencyMs.p50} ms   p95 ${summary.latencyMs.p95} ms   p99 ${summary.latencyMs.p99} ms`,
    `retries            ${summary.retries}`,
    `breaker            opened ${summary.breakerOpens}×, closed again ${summary.breakerCloses}×`,
    `upstream received  ${Object.entries(summary.upstreamReceived).map(([k, v]) => `${k}: ${v}`).join(', ')}`,
    'by phase           ' + summary.byPhase.map((p) => `${p.phase} ${p.ok}/${p.requests} ok`).join(' · '),
  ];
  return lines.join('\n');
}
