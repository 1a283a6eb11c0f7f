// pnpm bench [group …]: runs each comparison group in REPS fresh processes (alternating case order to
// expose JIT order effects), then reports per case the median p50 across runs and the median of the
// per-run ratios to the group's baseline. Writes bench/results/<group>.json and <groups>.md.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CaseResult } from './measure.ts';
import { median } from './median.ts';

interface GroupRun {
  readonly group: string;
  readonly title: string;
  readonly baseline: string;
  readonly comparisons: readonly (readonly [string, string])[];
  readonly order: string;
  readonly results: CaseResult[];
}

const here = fileURLToPath(new URL('.', import.meta.url));
const ALL_GROUPS = ['policies', 'metrics', 'http-metrics', 'rate-limit', 'rate-limit-redis', 'rate-limit-http', 'cache', 'cache-redis', 'idempotency', 'idempotency-http', 'fetch'];
const groups = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ALL_GROUPS;
const reps = Number(process.env.REPS ?? 4);

const formatNs = (ns: number): string => (ns >= 1_000 ? `${(ns / 1_000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);

const report: { machine: object; groups: object[] } = {
  machine: { node: process.version, cpus: (await import('node:os')).cpus().map((c) => c.model)[0], date: new Date().toISOString() },
  groups: [],
};
let markdown = `# Benchmark results\n\nNode ${process.version}, ${reps} processes per group (forward/reverse case order alternating). ` +
  'p50 is the median across runs of each run\'s median ns/op; the ratio is the median across runs of (case p50 / baseline p50 in the same run).\n';

const preamble = markdown;
const sections = new Map<string, string>();
for (const group of groups) {
  const runs: GroupRun[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const order = rep % 2 === 0 ? 'forward' : 'reverse';
    process.stderr.write(`[bench] ${group} run ${rep + 1}/${reps} (${order}) `);
    const out = execFileSync(process.execPath, ['--expose-gc', `${here}group-process.ts`, group, order], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 320_000,
    });
    runs.push(JSON.parse(out.trim().split('\n').pop()!) as GroupRun);
  }
  const { title, baseline } = runs[0]!;
  const names = runs[0]!.results.map((r) => r.name).sort((a, b) => (a === baseline ? -1 : b === baseline ? 1 : 0));
  const rows = names.map((name) => {
    const perRun = runs.map((run) => {
      const own = run.results.find((r) => r.name === name)!;
      const base = run.results.find((r) => r.name === baseline)!;
      return { p50: own.p50, ratio: own.p50 / base.p50 };
    });
    const p50s = perRun.map((r) => r.p50);
    return {
      name,
      p50: median(p50s),
      min: Math.min(...p50s),
      max: Math.max(...p50s),
      opsPerSec: 1e9 / median(p50s),
      ratio: median(perRun.map((r) => r.ratio)),
    };
  });
  const p50In = (run: GroupRun, name: string): number => run.results.find((r) => r.name === name)!.p50;
  const comparisons = runs[0]!.comparisons.map(([ours, theirs]) => {
    const perRun = runs.map((run) => p50In(run, ours) / p50In(run, theirs));
    return { ours, theirs, ratio: median(perRun), min: Math.min(...perRun), max: Math.max(...perRun) };
  });
  report.groups.push({ group, title, baseline, rows, comparisons, runs });
  const sectionStart = markdown.length;
  markdown += `\n## ${title}\n\n| case | p50 per call | spread (min … max) | ops/s | × ${baseline} |\n|---|---|---|---|---|\n`;
  for (const row of rows) {
    markdown += `| ${row.name} | ${formatNs(row.p50)} | ${formatNs(row.min)} … ${formatNs(row.max)} | ${(row.opsPerSec / 1e6).toFixed(2)} M | ${row.ratio.toFixed(2)} |\n`;
  }
  if (comparisons.length > 0) {
    markdown += `\n| head to head (same process) | ours ÷ theirs, median | spread (min … max) |\n|---|---|---|\n`;
    for (const c of comparisons) {
      const verdict = c.ratio < 1 ? `${(1 / c.ratio).toFixed(1)}× cheaper` : `${c.ratio.toFixed(1)}× the cost`;
      markdown += `| ${c.ours} vs ${c.theirs} | ${c.ratio.toFixed(2)} (${verdict}) | ${c.min.toFixed(2)} … ${c.max.toFixed(2)} |\n`;
    }
  }
  sections.set(group, markdown.slice(sectionStart));
}

// One file pair per group, so running one group never overwrites another's results.
const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
for (const entry of report.groups as { group: string }[]) {
  writeFileSync(`${resultsDir}${entry.group}.json`, `${JSON.stringify({ machine: report.machine, ...entry }, null, 2)}\n`);
}
for (const [group, section] of sections) writeFileSync(`${resultsDir}${group}.md`, `${preamble}${section}`);
process.stdout.write(markdown);
