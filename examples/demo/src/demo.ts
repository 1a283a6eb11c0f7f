// `./bw demo`: the example services under ~45 s of load while faults are injected on a schedule,
// then a summary reconciled from the bank's ledger and the catalog's database. With REDIS_URL set,
// two instances of each service share that Redis. DEMO_PHASE_MS scales the run (7 phases).
import { formatSummary, type DemoSummary } from './summary.ts';
import { runDemo } from './run-demo.ts';

const phaseMs = Number(process.env.DEMO_PHASE_MS ?? 6_000);
const summary: DemoSummary = await runDemo({ phaseMs, redisUrl: process.env.REDIS_URL || undefined });
console.log(formatSummary(summary));
process.exitCode = summary.violations.length === 0 ? 0 : 1;
