import { bankKeyFor } from '../../examples/payments-express/src/bank-key.ts';
import type { Charge } from '../../examples/payments-express/src/fake-bank.ts';
import type { LatencyHistogram } from '../../examples/demo/src/latency-histogram.ts';
import type { LoadResult } from '../../examples/demo/src/load-generator.ts';
import type { ServiceReport } from './service-process.ts';
import type { SoakTraffic } from './traffic.ts';

export interface SoakInput {
  readonly load: LoadResult;
  readonly perPhase: readonly { readonly name: string; readonly latency: LatencyHistogram; readonly outcomes: ReadonlyMap<string, number> }[];
  readonly reports: readonly ServiceReport[];
  readonly ledger: readonly Charge[];
  readonly traffic: SoakTraffic;
  readonly viewsPersisted: number;
  readonly ownRejections: number;
  readonly rateLimit: { readonly quota: number; readonly windowMs: number; readonly instances: number; readonly faultWindows: readonly { from: number; to: number }[] };
}

export interface SoakResult {
  readonly lines: readonly string[];
  readonly violations: readonly string[];
}

/**
 * The invariants, each from a source of truth:
 * - executions per idempotency key: the bank's ledger holds each payment once, and every payment
 *   a client was told succeeded;
 * - write-behind: the view counts the catalogs accepted are all in the database;
 * - rate limits: per client and 1 s window, admitted payments stay within GCRA's bound
 *   (quota + quota·1 s/window = 2·quota), or instances × that while Redis was down (the
 *   documented per-process fallback), with one window of slack for recovery probing;
 * - no unhandled rejection anywhere, no handle left open in any process at exit.
 */
export function reconcileSoak(input: SoakInput): SoakResult {
  const violations: string[] = [];
  const byReference = new Map<string, number>();
  for (const charge of input.ledger) byReference.set(charge.reference, (byReference.get(charge.reference) ?? 0) + 1);
  const maxExecutions = Math.max(0, ...byReference.values());
  const duplicates = [...byReference.values()].reduce((n, count) => n + count - 1, 0);
  let missing = 0;
  for (const clientKey of input.traffic.succeeded.keys()) {
    const [client, key] = clientKey.split('\n') as [string, string];
    if (!byReference.has(bankKeyFor(client, `"${key}"`))) missing++;
  }
  if (duplicates > 0) violations.push(`${duplicates} payment(s) executed more than once (max ${maxExecutions} per key)`);
  if (missing > 0) violations.push(`${missing} payment(s) answered 201 but never charged`);
  if (input.traffic.conflictingAnswers > 0) violations.push(`${input.traffic.conflictingAnswers} replay(s) answered with another charge`);

  const accepted = input.reports.filter((r) => r.kind === 'catalog').reduce((n, r) => n + r.accepted, 0);
  if (accepted !== input.viewsPersisted) violations.push(`write-behind: ${accepted} view counts accepted, ${input.viewsPersisted} persisted`);

  const { quota, windowMs, instances, faultWindows } = input.rateLimit;
  const normalBound = 2 * quota;
  const windows = new Map<string, number>();
  for (const sample of input.traffic.samples) {
    if (sample.status === 429) continue;
    const window = Math.floor(sample.sentAt / windowMs);
    windows.set(`${sample.client}\n${window}`, (windows.get(`${sample.client}\n${window}`) ?? 0) + 1);
  }
  let worst = { client: '', window: 0, admitted: 0, bound: normalBound };
  let overLimit = 0;
  for (const [clientWindow, admitted] of windows) {
    const [client, w] = clientWindow.split('\n') as [string, string];
    const from = Number(w) * windowMs;
    const degraded = faultWindows.some((f) => from + windowMs > f.from && from < f.to + windowMs);
    const bound = degraded ? instances * normalBound : normalBound;
    if (admitted > bound) overLimit++;
    if (admitted / bound > worst.admitted / worst.bound) worst = { client, window: Number(w), admitted, bound };
  }
  if (overLimit > 0) violations.push(`rate limit: ${overLimit} client-window(s) over the bound (worst: ${worst.client} admitted ${worst.admitted} > ${worst.bound} at ${worst.window} s)`);

  const rejections = input.ownRejections + input.reports.reduce((n, r) => n + r.unhandledRejections + r.uncaughtExceptions, 0);
  if (rejections > 0) violations.push(`${rejections} unhandled rejection(s) or uncaught exception(s)`);
  const leaks = input.reports.filter((r) => r.handles.length > 0);
  for (const r of leaks) violations.push(`${r.instance}: handles open at exit: ${r.handles.join(', ')}`);
  const badExits = input.reports.filter((r) => r.exitCode !== 0);
  for (const r of badExits) violations.push(`${r.instance}: exit code ${r.exitCode}`);

  const outcomes = [...input.load.outcomes].sort(([a], [b]) => a.localeCompare(b));
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  const lines = [
    '',
    '── soak summary ─────────────────────────────────────────────────────────',
    `requests             ${input.load.sent}`,
    `outcomes             ${outcomes.map(([o, n]) => `${o} ${n}`).join(' · ')}`,
    'latency per phase    p50 / p95 / p99',
    ...input.perPhase.map((p) => `  ${ms(p.latency.percentile(50)).padStart(8)} / ${ms(p.latency.percentile(95)).padStart(8)} / ${ms(p.latency.percentile(99)).padStart(8)}   ${p.name}`),
    `executions per key   max ${maxExecutions} over ${byReference.size} keys (${input.ledger.length} charges; ${input.traffic.succeeded.size} payments answered 201, ${missing} of them missing from the ledger)`,
    `write-behind         ${accepted} view counts accepted, ${input.viewsPersisted} persisted`,
    `rate limit           worst client-window ${worst.admitted} admitted of a bound of ${worst.bound} (${quota}/s GCRA; ×${instances} while Redis was down)`,
    `unhandled rejections ${rejections}`,
    `handles open at exit ${input.reports.reduce((n, r) => n + r.handles.length, 0)} across ${input.reports.length} process exits`,
    '',
    violations.length === 0 ? '✔ every invariant holds' : `✘ ${violations.length} invariant(s) broken:\n  - ${violations.join('\n  - ')}`,
  ];
  return { lines, violations };
}

export function formatSoak(result: SoakResult): string {
  return result.lines.join('\n');
}
