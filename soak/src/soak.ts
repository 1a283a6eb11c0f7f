// `./bw soak` (SOAK_PROFILE=ci, the default, or long): the example services in four processes
// sharing one real Redis, under steady load while Redis is killed, paused and script-flushed, the
// bank fails and slows down, a payments process is stopped and restarted, and duplicate POSTs
// storm in. Then everything is reconciled from the sources of truth; any broken invariant exits 1.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { startRedis } from 'breakwater-test-utils';
import { startFakeBank } from '../../examples/payments-express/src/fake-bank.ts';
import { generateLoad } from '../../examples/demo/src/load-generator.ts';
import { LatencyHistogram } from '../../examples/demo/src/latency-histogram.ts';
import { runSchedule, type Phase } from '../../examples/demo/src/fault-schedule.ts';
import { PROFILES } from './profiles.ts';
import { reconcileSoak, formatSoak } from './reconcile.ts';
import { startServiceProcess, type ServiceProcess, type ServiceReport } from './service-process.ts';
import { soakTraffic } from './traffic.ts';

const profile = PROFILES[process.env.SOAK_PROFILE ?? 'ci'];
if (profile === undefined) throw new Error(`SOAK_PROFILE must be one of ${Object.keys(PROFILES).join(', ')}`);
const RATE_LIMIT = 15;

let ownRejections = 0;
process.on('unhandledRejection', (reason) => {
  ownRejections++;
  console.error('soak: unhandled rejection', reason);
});

const dir = mkdtempSync(join(tmpdir(), 'breakwater-soak-'));
const redis = await startRedis();
const bank = await startFakeBank();
const env = { REDIS_URL: redis.url, BANK_URL: bank.url, DB_PATH: join(dir, 'catalog.db'), RATE_LIMIT_PER_SECOND: String(RATE_LIMIT) };
const catalogs: ServiceProcess[] = [];
// One catalog first: it creates and seeds the shared database file, the second one reuses it.
catalogs.push(await startServiceProcess('catalog', 'catalog-1', dir, env));
catalogs.push(await startServiceProcess('catalog', 'catalog-2', dir, env));
const payments: ServiceProcess[] = await Promise.all([
  startServiceProcess('payments', 'payments-1', dir, env),
  startServiceProcess('payments', 'payments-2', dir, env),
]);
const reports: ServiceReport[] = [];

const started = performance.now();
const traffic = soakTraffic(() => payments, () => catalogs, started);
const log = (line: string) => console.log(`[${((performance.now() - started) / 1_000).toFixed(1).padStart(6)}s] ${line}`);
// SOAK_PHASE_MS shortens a run while working on the harness itself.
const phaseMs = Number(process.env.SOAK_PHASE_MS ?? profile.phaseMs);
const redisFaultWindows: { from: number; to: number }[] = [];
const markRedisFault = () => redisFaultWindows.push({ from: performance.now() - started, to: Infinity });
const endRedisFault = () => void (redisFaultWindows.at(-1)!.to = performance.now() - started);
const restartPayments = async () => {
  const old = payments[0]!;
  log(`SIGTERM ${old.name} (taken out of rotation first)`);
  reports.push(await old.stop());
  payments[0] = await startServiceProcess('payments', `${old.name}-restarted`, dir, env);
  log(`${payments[0].name} is up`);
};

const phases: Phase[] = [
  { name: 'steady', durationMs: phaseMs },
  { name: 'redis SIGKILL', durationMs: phaseMs, enter: async () => (markRedisFault(), await redis.kill()) },
  { name: 'redis restarted, then SIGSTOP', durationMs: phaseMs, enter: async () => (await redis.restart(), redis.pause()) },
  { name: 'redis SIGCONT + SCRIPT FLUSH, bank 50 % errors', durationMs: phaseMs, enter: async () => (redis.resume(), await redis.flushScripts(), bank.setFaults({ errorRate: 0.5 })) },
  { name: 'bank latency spikes (800 ms)', durationMs: phaseMs, enter: () => bank.setFaults({ latencyMs: 800 }) },
  { name: 'payments process SIGTERM and restart', durationMs: phaseMs, enter: async () => (bank.setFaults({}), await restartPayments()) },
  { name: 'duplicate POST storm', durationMs: phaseMs, enter: () => void (traffic.duplicateShare = 0.6) },
  { name: 'steady', durationMs: phaseMs, enter: () => void (traffic.duplicateShare = 0.02) },
];
// Redis is back (and unpaused) from phase 3 on: the outage window ends when that phase starts.
const phaseStarts: number[] = [];
const perPhase = phases.map((phase) => ({ name: phase.name, latency: new LatencyHistogram(), outcomes: new Map<string, number>() }));
let current = 0;

log(`soak (${profile.name}): 2 payments + 2 catalog processes, Redis ${redis.url}, ${profile.rate} req/s, ${phases.length} phases of ${phaseMs / 1000} s`);
const controller = new AbortController();
const schedule = runSchedule(phases, (phase, index) => {
  current = index;
  phaseStarts.push(performance.now() - started);
  if (index === 3) endRedisFault();
  log(`── ${index + 1}/${phases.length} ${phase.name}`);
}, controller.signal);
const load = await generateLoad({
  rate: profile.rate,
  maxInFlight: 512,
  durationMs: phaseMs * phases.length,
  send: traffic.send,
  onOutcome: (outcome, ms) => {
    const phase = perPhase[current]!;
    phase.outcomes.set(outcome, (phase.outcomes.get(outcome) ?? 0) + 1);
    if (outcome !== 'client-overload') phase.latency.record(ms);
  },
});
controller.abort();
await schedule;

log('load done; stopping every service (graceful: write-behind flushes)');
for (const service of [...payments, ...catalogs]) reports.push(await service.stop());
const db = new DatabaseSync(env.DB_PATH);
const viewsPersisted = (db.prepare('SELECT COALESCE(SUM(views), 0) AS n FROM product_views').get() as { n: number }).n;
db.close();
const ledger = [...bank.ledger];
await bank.close();
await redis.stop();
rmSync(dir, { recursive: true, force: true });

const result = reconcileSoak({
  load,
  perPhase,
  reports,
  ledger,
  traffic,
  viewsPersisted,
  ownRejections,
  rateLimit: { quota: RATE_LIMIT, windowMs: 1_000, instances: 2, faultWindows: redisFaultWindows },
});
console.log(formatSoak(result));
process.exitCode = result.violations.length === 0 ? 0 : 1;
