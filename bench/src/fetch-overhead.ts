// pnpm bench:fetch-overhead: what @breakwater/fetch adds to a request, in the main thread's CPU time.
//
// The fetch group's wall-clock timing puts the server in the client's process and moves 0.7–1.35×
// between runs on this VM, more than the effect it looks for. Here the server runs in this process
// (pinned to the last CPU when `taskset` exists), and PROCS client processes (pinned to the first)
// each run every case interleaved: batches of BATCH requests, cases in random order each round,
// so drift over time hits every case alike. Per batch, the client's main-thread CPU time
// (`process.threadCpuUsage()`, which leaves out V8's compiler and GC helper threads) and wall time
// are summed per case. Reported: the median across processes of (case ÷ plain fetch in the same
// process), with the min … max across processes. Writes results/fetch-overhead.{json,md}.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median } from './median.ts';

const BASELINE = 'fetch: plain';
const PROCS = Number(process.env.PROCS ?? 32);
const PER_CASE = Number(process.env.N ?? 3_000);
const BATCH = 50;
const WARMUP = 1_000;

interface CaseCost {
  readonly name: string;
  /** Main-thread CPU time per request, µs. */
  readonly cpu: number;
  /** Wall time per request, µs. */
  readonly wall: number;
}

async function cases(base: string): Promise<Record<string, () => Promise<unknown>>> {
  const { createFetch } = await import('@breakwater/fetch');
  let n = 0;
  const url = (): string => `${base}/items/${n++ % 1000}`;
  const defaults = createFetch();
  const noTimeouts = createFetch({ timeout: false, attemptTimeout: false });
  const nothing = createFetch({ timeout: false, attemptTimeout: false, retry: false, breaker: false });
  return {
    [BASELINE]: async () => (await fetch(url())).text(),
    // The floor for any client with a deadline: undici's own work for a signal it is handed.
    'fetch: with an AbortSignal': async () => (await fetch(url(), { signal: new AbortController().signal })).text(),
    // What a careful caller of plain fetch writes to get the deadline createFetch() gives by default.
    'fetch: with AbortSignal.timeout(30 s)': async () => (await fetch(url(), { signal: AbortSignal.timeout(30_000) })).text(),
    'breakwater: createFetch() defaults': async () => (await defaults(url())).text(),
    'breakwater: no timeouts': async () => (await noTimeouts(url())).text(),
    'breakwater: everything off': async () => (await nothing(url())).text(),
  };
}

async function client(port: string): Promise<void> {
  const all = await cases(`http://127.0.0.1:${port}`);
  const names = Object.keys(all);
  const fns = names.map((name) => all[name]!);
  for (const fn of fns) for (let i = 0; i < WARMUP; i++) await fn();
  const cpu = names.map(() => 0);
  const wall = names.map(() => 0);
  const order = names.map((_, i) => i);
  for (let round = 0; round < PER_CASE / BATCH; round++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const i of order) {
      const fn = fns[i]!;
      const cpu0 = process.threadCpuUsage();
      const wall0 = performance.now();
      for (let k = 0; k < BATCH; k++) await fn();
      const used = process.threadCpuUsage(cpu0);
      wall[i]! += (performance.now() - wall0) * 1_000;
      cpu[i]! += used.user + used.system;
    }
  }
  const costs: CaseCost[] = names.map((name, i) => ({ name, cpu: cpu[i]! / PER_CASE, wall: wall[i]! / PER_CASE }));
  process.stdout.write(`${JSON.stringify(costs)}\n`);
}

function pinnable(): boolean {
  return availableParallelism() >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
}

function runClient(port: number, pin: boolean): Promise<CaseCost[]> {
  const self = fileURLToPath(import.meta.url);
  const args = [...process.execArgv, self, 'client', String(port)];
  const [command, argv] = pin ? ['taskset', ['-c', '0', process.execPath, ...args]] : [process.execPath, args];
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv as string[], { stdio: ['ignore', 'pipe', 'inherit'], timeout: 300_000 });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as CaseCost[]) : reject(new Error(`client exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const pin = pinnable();
  // The server takes the last CPU, the clients the first: the pair never fight over one core.
  if (pin) spawnSync('taskset', ['-cp', String(availableParallelism() - 1), String(process.pid)], { stdio: 'ignore' });
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const runs: CaseCost[][] = [];
  try {
    for (let i = 0; i < PROCS; i++) {
      process.stderr.write(`[fetch-overhead] process ${i + 1}/${PROCS}\n`);
      runs.push(await runClient(port, pin));
    }
  } finally {
    server.closeAllConnections();
    server.close();
  }

  const names = runs[0]!.map((cost) => cost.name);
  const rows = names.map((name) => {
    const of = (run: CaseCost[], key: 'cpu' | 'wall'): number => run.find((c) => c.name === name)![key] / run.find((c) => c.name === BASELINE)![key];
    const cpuRatios = runs.map((run) => of(run, 'cpu'));
    const wallRatios = runs.map((run) => of(run, 'wall'));
    return {
      name,
      cpuUs: median(runs.map((run) => run.find((c) => c.name === name)!.cpu)),
      wallUs: median(runs.map((run) => run.find((c) => c.name === name)!.wall)),
      cpuRatio: median(cpuRatios),
      cpuSpread: [Math.min(...cpuRatios), Math.max(...cpuRatios)],
      wallRatio: median(wallRatios),
      wallSpread: [Math.min(...wallRatios), Math.max(...wallRatios)],
    };
  });
  const spread = ([low, high]: number[]): string => `${low!.toFixed(2)} … ${high!.toFixed(2)}`;
  const markdown = [
    '# Resilient fetch: overhead per request over plain fetch',
    '',
    `Node ${process.version}; ${PROCS} client processes, ${PER_CASE} requests per case each, cases interleaved in batches of ${BATCH};` +
      ` loopback keep-alive server in another process${pin ? ', client and server pinned to separate CPUs' : ''}. Ratios are medians across` +
      ' processes of (case ÷ plain fetch in the same process); the spread is their min … max.',
    '',
    '| case | main-thread CPU per request | × plain fetch (CPU) | spread | wall per request | × plain fetch (wall) | spread |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.name} | ${row.cpuUs.toFixed(1)} µs | ${row.cpuRatio.toFixed(3)} | ${spread(row.cpuSpread)} | ${row.wallUs.toFixed(1)} µs | ${row.wallRatio.toFixed(3)} | ${spread(row.wallSpread)} |`,
    ),
    '',
  ].join('\n');
  const results = fileURLToPath(new URL('../results/', import.meta.url));
  writeFileSync(`${results}fetch-overhead.json`, `${JSON.stringify({ node: process.version, procs: PROCS, perCase: PER_CASE, pinned: pin, runs, rows }, null, 2)}\n`);
  writeFileSync(`${results}fetch-overhead.md`, markdown);
  process.stdout.write(markdown);
}

if (process.argv[2] === 'client') await client(process.argv[3]!);
else await main();
