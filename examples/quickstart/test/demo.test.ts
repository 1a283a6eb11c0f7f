import { describe, expect, it } from 'vitest';
import { seededRandom } from '@breakwater/retry';
import { runDemo } from '../src/run-demo.ts';

// A short run of the real demo: real sockets on loopback, a bounded load, faults on a schedule.
// Only invariants that hold whatever the machine's speed are asserted.
describe('quickstart demo', () => {
  it('accounts for every request and shows each policy acting on its fault', async () => {
    const lines: string[] = [];
    const summary = await runDemo({ phaseMs: 600, concurrency: 8, random: seededRandom(7), log: (line) => lines.push(line) });

    const counted = Object.values(summary.outcomes).reduce((a, b) => a + b, 0);
    expect(counted).toBe(summary.requests);
    expect(summary.outcomes['other-error']).toBe(0);
    // healthy first phase: (nearly) everything succeeds; a loaded CI machine may time out a first connection
    expect(summary.byPhase[0]).toMatchObject({ phase: 'healthy' });
    expect(summary.byPhase[0]!.ok).toBeGreaterThanOrEqual(0.9 * summary.byPhase[0]!.requests);
    // flaky phase: the upstream's 503s were retried
    expect(summary.retries).toBeGreaterThan(0);
    // outage: the breaker opened and callers failed fast instead of hammering the upstream
    expect(summary.breakerOpens).toBeGreaterThan(0);
    expect(summary.outcomes['breaker-open']).toBeGreaterThan(0);
    expect(summary.byPhase[3]).toMatchObject({ phase: 'down', ok: 0 });
    expect(summary.upstreamReceived['503']).toBeLessThan(summary.byPhase[3]!.requests + summary.byPhase[1]!.requests);
    // recovery: the breaker closed again and the last phase served requests
    expect(summary.breakerCloses).toBeGreaterThan(0);
    expect(summary.byPhase[4]!.ok).toBeGreaterThan(0);
    expect(lines.some((line) => line.includes('breaker → open'))).toBe(true);
  }, 30_000);
});
