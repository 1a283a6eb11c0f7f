import { describe, expect, it } from 'vitest';
import { runDemo } from '../src/run-demo.ts';

const quiet = { status() {}, event() {}, done() {} };

// A short run of the real demo: real services on loopback sockets, a bounded load, faults on a
// schedule. Only what holds whatever the machine's speed is asserted: the reconciliation against
// the bank's ledger and the database, and that each fault left its mark.
describe('the demo', () => {
  it('charges no payment twice, loses no write, and shows retries, breaker, replays and rate limits', async () => {
    const summary = await runDemo({ phaseMs: 2_000, rate: 100, progress: quiet });
    expect(summary.violations).toEqual([]);
    expect(summary.payments.duplicateCharges).toBe(0);
    expect(summary.views.lost).toBe(0);
    expect(summary.views.accepted).toBeGreaterThan(0);
    expect(summary.retries).toBeGreaterThan(0);
    expect(summary.breakerOpens).toBeGreaterThan(0);
    expect(summary.replays).toBeGreaterThan(0);
    expect(summary.rateLimited).toBeGreaterThan(0);
    expect(summary.cacheHitRatio).toBeGreaterThan(0);
  }, 60_000);
});
