/**
 * Packaging check for every public package under packages/* (a package.json without
 * `"private": true`). Run after a build: `pnpm run check:packages` (= `pnpm run build && node
 * scripts/check-packages.ts`). Optional arguments keep only the packages they name, by folder or
 * by package name: `node scripts/check-packages.ts core retry`.
 *
 * 1. `pnpm pack` into .pack/ (pnpm rewrites `workspace:^` to real ranges; checked below).
 * 2. `publint run --strict <tarball>` and `attw <tarball> --profile node16` (node10 is ignored:
 *    engines.node is >=22.12). Both read the very tarball that would be published.
 * 3. A consumer smoke test in a throwaway dir under os.tmpdir(): every tarball is installed
 *    together with `pnpm install --prefer-offline`, and a pnpm `overrides` entry points each
 *    @breakwater/* name at its tarball, so a package's dependency on @breakwater/core gets the
 *    packed core, never the workspace copy or the registry. Third-party dependencies and peers
 *    (pnpm installs missing peers, e.g. express, fastify) come from pnpm's store and metadata
 *    cache, which the workspace install filled; the registry is asked only on a cache miss.
 *    Then, for every subpath of each `exports` map but ./package.json, a .cjs file `require()`s
 *    it and a .mjs file `import()`s it; both must load and expose the same export names, and
 *    every exported error class must answer `instanceof` and its `isXError()` guard the same
 *    way across the CJS and ESM copies (the brands of STYLE §2).
 *
 * Internal dependencies of the selected packages are packed and installed too (a filtered run
 * of `retry` still needs a packed core), but only the selected packages are linted and smoke
 * tested. Exits 1 on any failure, after printing a table and the output of what failed. A
 * failing consumer dir is kept for inspection outside CI; BW_KEEP_CONSUMER=1 always keeps it.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const packDir = join(root, '.pack');
const bin = (name: string): string => join(root, 'node_modules', '.bin', name);
const OUTPUT_LIMIT = 6_000;

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly exports?: unknown;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

interface Pkg {
  /** Folder name under packages/, e.g. `core`. */
  readonly folder: string;
  readonly dir: string;
  readonly manifest: Manifest;
  tarball?: string;
}

type Status = 'ok' | 'FAIL' | 'skip' | '-';
const COLUMNS = ['pack', 'publint', 'attw', 'require', 'import', 'dual'] as const;
type Column = (typeof COLUMNS)[number];

interface Row {
  readonly pkg: Pkg;
  readonly status: Record<Column, Status>;
  readonly problems: string[];
  /** What the smoke test covered, printed under the table. */
  readonly details: string[];
}

interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        const extra = error !== null && typeof error.code !== 'number' ? `\n${error.message}` : '';
        resolve({ code, stdout: String(stdout), stderr: String(stderr) + extra });
      },
    );
  });
}

const clip = (text: string): string => (text.length > OUTPUT_LIMIT ? `${text.slice(0, OUTPUT_LIMIT)}\n… (${text.length - OUTPUT_LIMIT} more characters)` : text);
const output = (result: RunResult): string => clip(`${result.stdout}\n${result.stderr}`.trim());

/** Runs `tasks` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(limit, queue.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
    }),
  );
}

function discoverPublicPackages(): Pkg[] {
  const packagesDir = join(root, 'packages');
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(packagesDir, entry.name, 'package.json')))
    .map((entry) => {
      const dir = join(packagesDir, entry.name);
      return { folder: entry.name, dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest };
    })
    .filter((pkg) => pkg.manifest.private !== true)
    .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}

/** The subpaths to smoke test: every key of the exports map but ./package.json. */
function subpaths(manifest: Manifest): { specifiers: string[]; problems: string[] } {
  const { exports } = manifest;
  if (exports === undefined) return { specifiers: [], problems: ['package.json has no "exports" map'] };
  if (typeof exports === 'string' || Array.isArray(exports)) return { specifiers: [manifest.name], problems: [] };
  const keys = Object.keys(exports as object);
  if (!keys.some((key) => key.startsWith('.'))) return { specifiers: [manifest.name], problems: [] };
  const problems: string[] = [];
  const specifiers: string[] = [];
  for (const key of keys) {
    if (key === './package.json') continue;
    if (key.includes('*')) {
      problems.push(`exports has a wildcard subpath "${key}": list each subpath explicitly so it can be smoke tested`);
      continue;
    }
    specifiers.push(key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`);
  }
  return { specifiers, problems };
}

/** Public workspace packages that `pkg` depends on at run time, transitively. */
function internalClosure(selected: readonly Pkg[], all: readonly Pkg[]): Pkg[] {
  const byName = new Map(all.map((pkg) => [pkg.manifest.name, pkg]));
  const result = new Map<string, Pkg>();
  const visit = (pkg: Pkg): void => {
    if (result.has(pkg.manifest.name)) return;
    result.set(pkg.manifest.name, pkg);
    const { dependencies = {}, peerDependencies = {}, optionalDependencies = {} } = pkg.manifest;
    for (const name of Object.keys({ ...dependencies, ...peerDependencies, ...optionalDependencies })) {
      const dep = byName.get(name);
      if (dep) visit(dep);
    }
  };
  for (const pkg of selected) visit(pkg);
  return [...result.values()];
}

async function pack(pkg: Pkg): Promise<string> {
  const result = await run('pnpm', ['pack', '--pack-destination', packDir, '--json'], pkg.dir);
  if (result.code !== 0) throw new Error(`pnpm pack failed:\n${output(result)}`);
  let filename: string | undefined;
  try {
    filename = (JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as { filename?: string }).filename;
  } catch {
    // fall back to pnpm's naming: @scope/name@1.0.0 -> scope-name-1.0.0.tgz
  }
  filename ??= join(packDir, `${pkg.manifest.name.replace(/^@/, '').replace('/', '-')}-${pkg.manifest.version}.tgz`);
  if (!existsSync(filename)) throw new Error(`pnpm pack reported ${filename}, which does not exist:\n${output(result)}`);
  return filename;
}

/** The manifest inside the tarball must not keep `workspace:` ranges in what consumers install. */
async function checkPackedManifest(tarball: string): Promise<string[]> {
  const result = await run('tar', ['-xzOf', tarball, 'package/package.json'], root);
  if (result.code !== 0) return [`cannot read package.json from ${tarball}:\n${output(result)}`];
  const packed = JSON.parse(result.stdout) as Manifest;
  const problems: string[] = [];
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
    for (const [name, range] of Object.entries(packed[field] ?? {})) {
      if (range.startsWith('workspace:')) problems.push(`packed ${field}.${name} is still "${range}"`);
    }
  }
  return problems;
}

/** One row per selected package: pack, publint and attw. */
async function lint(row: Row): Promise<void> {
  const { pkg } = row;
  const tarball = pkg.tarball;
  if (tarball === undefined) return;
  const [publint, attw] = await Promise.all([
    run(bin('publint'), ['run', '--strict', tarball], root),
    run(bin('attw'), [tarball, '--profile', 'node16', '--no-definitely-typed', '--format', 'table-flipped', '--no-emoji', '--no-color'], root),
  ]);
  // --strict turns warnings into errors (exit 1); also catch a run that listed some but exited 0.
  const publintOk = publint.code === 0 && !/^(Errors|Warnings):/m.test(publint.stdout);
  row.status.publint = publintOk ? 'ok' : 'FAIL';
  if (!publintOk) row.problems.push(`publint --strict:\n${output(publint)}`);
  else if (/^Suggestions:/m.test(publint.stdout)) console.log(`note: publint suggestions for ${pkg.manifest.name}:\n${output(publint)}`);
  // attw exits 0 for a package with no types at all; a Breakwater package always ships them.
  const attwOk = attw.code === 0 && !/does not contain types/i.test(attw.stdout);
  row.status.attw = attwOk ? 'ok' : 'FAIL';
  if (!attwOk) row.problems.push(`attw --profile node16:\n${output(attw)}`);
}

const CJS_SMOKE = String.raw`
'use strict';
const specifiers = JSON.parse(process.argv[2]);
const results = {};
for (const specifier of specifiers) {
  try {
    const exported = require(specifier);
    results[specifier] = { ok: true, keys: Object.keys(exported).filter((key) => key !== '__esModule').sort() };
  } catch (error) {
    results[specifier] = { ok: false, error: String(error && error.stack || error) };
  }
}
process.stdout.write(JSON.stringify(results));
`;

/**
 * import() of every subpath, then the dual-package checks against the CJS copy (loaded with
 * createRequire): every exported Error subclass, constructed from the CJS copy, must be an
 * `instanceof` the ESM class and pass the ESM `isXError()` guard (and the other way round), and
 * for every pair of error classes the cross-copy `instanceof` must answer as the same-copy one.
 */
const ESM_SMOKE = String.raw`
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const specifiers = JSON.parse(process.argv[2]);
const results = {};
const isErrorClass = (value) => typeof value === 'function' && value.prototype instanceof Error;
function construct(Class) {
  for (const args of [['smoke test'], [], [1], [{}], ['smoke test', {}]]) {
    try {
      const instance = new Class(...args);
      if (instance instanceof Error) return instance;
    } catch {}
  }
  return undefined;
}
for (const specifier of specifiers) {
  let esm;
  try {
    esm = await import(specifier);
  } catch (error) {
    results[specifier] = { ok: false, error: String(error && error.stack || error) };
    continue;
  }
  const result = { ok: true, keys: Object.keys(esm).filter((key) => key !== 'module.exports').sort(), dual: [], dualSkipped: [], dualChecked: [] };
  results[specifier] = result;
  let cjs;
  try {
    cjs = require(specifier);
  } catch (error) {
    result.dual.push('require() failed: ' + String(error && error.message || error));
    continue;
  }
  const classes = Object.keys(esm).filter((name) => isErrorClass(esm[name]) && isErrorClass(cjs[name]));
  const instances = {};
  for (const name of classes) {
    const fromCjs = construct(cjs[name]);
    const fromEsm = construct(esm[name]);
    if (!fromCjs || !fromEsm) { result.dualSkipped.push(name); continue; }
    instances[name] = { fromCjs, fromEsm };
    result.dualChecked.push(name);
    if (!(fromCjs instanceof esm[name])) result.dual.push('new cjs.' + name + '() instanceof esm.' + name + ' is false');
    if (!(fromEsm instanceof cjs[name])) result.dual.push('new esm.' + name + '() instanceof cjs.' + name + ' is false');
    const guard = 'is' + name;
    if (typeof esm[guard] === 'function' && esm[guard](fromCjs) !== true) result.dual.push('esm.' + guard + '(new cjs.' + name + '()) is not true');
    if (typeof cjs[guard] === 'function' && cjs[guard](fromEsm) !== true) result.dual.push('cjs.' + guard + '(new esm.' + name + '()) is not true');
  }
  for (const a of Object.keys(instances)) {
    for (const b of Object.keys(instances)) {
      const same = instances[a].fromEsm instanceof esm[b];
      const cross = instances[a].fromCjs instanceof esm[b];
      if (same !== cross) result.dual.push('new cjs.' + a + '() instanceof esm.' + b + ' is ' + cross + ', but ' + same + ' within one copy');
    }
  }
  if (specifier === '@breakwater/core') {
    const checks = {
      'new cjs.TimeoutError(1) instanceof esm.TimeoutError': () => new cjs.TimeoutError(1) instanceof esm.TimeoutError,
      "esm.isBreakwaterError(new cjs.BreakwaterError('x'))": () => esm.isBreakwaterError(new cjs.BreakwaterError('x')),
      "new cjs.BreakwaterError('x') instanceof esm.BreakwaterError": () => new cjs.BreakwaterError('x') instanceof esm.BreakwaterError,
      "!(new cjs.BreakwaterError('x') instanceof esm.TimeoutError)": () => !(new cjs.BreakwaterError('x') instanceof esm.TimeoutError),
    };
    for (const [label, check] of Object.entries(checks)) {
      let passed = false;
      try { passed = check() === true; } catch (error) { result.dual.push(label + ' threw ' + error); continue; }
      if (!passed) result.dual.push(label + ' is not true');
    }
  }
}
process.stdout.write(JSON.stringify(results));
`;

interface SmokeResult {
  readonly ok: boolean;
  readonly keys?: string[];
  readonly error?: string;
  readonly dual?: string[];
  readonly dualSkipped?: string[];
  readonly dualChecked?: string[];
}

async function consumerSmokeTest(rows: readonly Row[], installed: readonly Pkg[]): Promise<string | undefined> {
  const consumer = await mkdtemp(join(tmpdir(), 'breakwater-consumer-'));
  let keep = process.env.BW_KEEP_CONSUMER === '1';
  try {
    const file = (pkg: Pkg): string => `file:${pkg.tarball}`;
    const dependencies = Object.fromEntries(installed.map((pkg) => [pkg.manifest.name, file(pkg)]));
    await writeFile(
      join(consumer, 'package.json'),
      `${JSON.stringify({ name: 'breakwater-consumer-smoke-test', version: '0.0.0', private: true, dependencies }, null, 2)}\n`,
    );
    // A workspace file of its own makes the consumer its own root; overrides send every
    // @breakwater/* range (e.g. retry's "@breakwater/core": "^0.1.0") to the packed tarball.
    const overrides = installed.map((pkg) => `  ${JSON.stringify(pkg.manifest.name)}: ${JSON.stringify(file(pkg))}`).join('\n');
    await writeFile(join(consumer, 'pnpm-workspace.yaml'), `overrides:\n${overrides}\nautoInstallPeers: true\nstrictPeerDependencies: false\n`);
    await writeFile(join(consumer, 'smoke.cjs'), CJS_SMOKE);
    await writeFile(join(consumer, 'smoke.mjs'), ESM_SMOKE);

    const install = await run('pnpm', ['install', '--prefer-offline', '--reporter=append-only'], consumer, 150_000);
    if (install.code !== 0) {
      keep = true;
      for (const row of rows) {
        row.status.require = row.status.import = row.status.dual = 'FAIL';
      }
      return `consumer install failed in ${consumer}:\n${output(install)}`;
    }

    const specifiersByRow = new Map<Row, string[]>();
    for (const row of rows) {
      const { specifiers, problems } = subpaths(row.pkg.manifest);
      row.problems.push(...problems);
      specifiersByRow.set(row, problems.length > 0 ? [] : specifiers);
    }
    const all = [...specifiersByRow.values()].flat();
    const [cjsRun, esmRun] = await Promise.all([
      run(process.execPath, ['smoke.cjs', JSON.stringify(all)], consumer, 60_000),
      run(process.execPath, ['smoke.mjs', JSON.stringify(all)], consumer, 60_000),
    ]);
    const parse = (result: RunResult, what: string): Record<string, SmokeResult> => {
      try {
        return JSON.parse(result.stdout) as Record<string, SmokeResult>;
      } catch {
        keep = true;
        return Object.fromEntries(all.map((specifier) => [specifier, { ok: false, error: `${what} smoke run crashed (kept ${consumer}):\n${output(result)}` }]));
      }
    };
    const cjs = parse(cjsRun, 'require()');
    const esm = parse(esmRun, 'import()');

    for (const [row, specifiers] of specifiersByRow) {
      if (specifiers.length === 0) {
        row.status.require = row.status.import = row.status.dual = 'FAIL';
        continue;
      }
      let requireOk = true;
      let importOk = true;
      let dualOk = true;
      for (const specifier of specifiers) {
        const c = cjs[specifier];
        const e = esm[specifier];
        if (!c?.ok) {
          requireOk = false;
          row.problems.push(`require('${specifier}') failed:\n${clip(c?.error ?? 'no result')}`);
        }
        if (!e?.ok) {
          importOk = false;
          row.problems.push(`import('${specifier}') failed:\n${clip(e?.error ?? 'no result')}`);
        }
        if (c?.ok && e?.ok) {
          const onlyCjs = c.keys!.filter((key) => !e.keys!.includes(key));
          const onlyEsm = e.keys!.filter((key) => !c.keys!.includes(key));
          if (onlyCjs.length > 0 || onlyEsm.length > 0) {
            requireOk = importOk = false;
            row.problems.push(`'${specifier}': export names differ. Only in require(): [${onlyCjs.join(', ')}]; only in import(): [${onlyEsm.join(', ')}]`);
          }
        }
        if (e?.dual && e.dual.length > 0) {
          dualOk = false;
          row.problems.push(`'${specifier}': dual-package hazard:\n  ${e.dual.join('\n  ')}`);
        }
        if (e?.ok) {
          const checked = e.dualChecked ?? [];
          row.details.push(`${specifier}: ${e.keys!.length} exports; errors checked across copies: ${checked.length > 0 ? checked.join(', ') : 'none exported'}`);
        }
        if (e?.dualSkipped && e.dualSkipped.length > 0) {
          console.log(`note: ${specifier}: could not construct ${e.dualSkipped.join(', ')} without arguments; their cross-copy instanceof was not checked`);
        }
      }
      row.status.require = requireOk ? 'ok' : 'FAIL';
      row.status.import = importOk ? 'ok' : 'FAIL';
      row.status.dual = !requireOk || !importOk ? (dualOk ? '-' : 'FAIL') : dualOk ? 'ok' : 'FAIL';
    }
    if (rows.some((row) => row.problems.length > 0)) keep = true;
    return undefined;
  } finally {
    if (keep && process.env.CI !== 'true') console.log(`consumer dir kept for inspection: ${consumer}`);
    else await rm(consumer, { recursive: true, force: true });
  }
}

function printTable(rows: readonly Row[]): void {
  const header = ['package', ...COLUMNS];
  const lines = rows.map((row) => [row.pkg.manifest.name, ...COLUMNS.map((column) => row.status[column])]);
  const widths = header.map((title, index) => Math.max(title.length, ...lines.map((line) => line[index]!.length)));
  const format = (cells: readonly string[]): string => cells.map((cell, index) => cell.padEnd(widths[index]!)).join('  ');
  console.log(`\n${format(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}`);
  for (const line of lines) console.log(format(line));
  const details = rows.flatMap((row) => row.details);
  if (details.length > 0) console.log(`\n${details.join('\n')}`);
}

async function main(): Promise<number> {
  const started = performance.now();
  const elapsed = (): string => `${((performance.now() - started) / 1_000).toFixed(1)}s`;
  const filters = process.argv.slice(2);
  const all = discoverPublicPackages();
  if (all.length === 0) {
    console.error('check-packages: no public package under packages/');
    return 1;
  }
  const unknown = filters.filter((filter) => !all.some((pkg) => pkg.folder === filter || pkg.manifest.name === filter));
  if (unknown.length > 0) {
    console.error(`check-packages: no public package named ${unknown.join(', ')} (known: ${all.map((pkg) => pkg.folder).join(', ')})`);
    return 1;
  }
  const selected = filters.length > 0 ? all.filter((pkg) => filters.includes(pkg.folder) || filters.includes(pkg.manifest.name)) : all;
  const installed = internalClosure(selected, all);
  for (const tool of ['publint', 'attw']) {
    if (!existsSync(bin(tool))) {
      console.error(`check-packages: ${bin(tool)} is missing; run pnpm install`);
      return 1;
    }
  }
  const extra = installed.filter((pkg) => !selected.includes(pkg));
  console.log(
    `check-packages: ${selected.map((pkg) => pkg.manifest.name).join(', ')}` +
      (extra.length > 0 ? ` (also packed as dependencies: ${extra.map((pkg) => pkg.manifest.name).join(', ')})` : ''),
  );

  await rm(packDir, { recursive: true, force: true });
  await mkdir(packDir, { recursive: true });
  const rows: Row[] = selected.map((pkg) => ({
    pkg,
    status: { pack: '-', publint: '-', attw: '-', require: '-', import: '-', dual: '-' },
    problems: [],
    details: [],
  }));
  const rowOf = new Map(rows.map((row) => [row.pkg, row]));
  const packFailures: string[] = [];
  // pnpm pack is quick; run it one package at a time to keep its output apart.
  for (const pkg of installed) {
    const row = rowOf.get(pkg);
    try {
      pkg.tarball = await pack(pkg);
      const problems = await checkPackedManifest(pkg.tarball);
      if (row) {
        row.status.pack = problems.length === 0 ? 'ok' : 'FAIL';
        row.problems.push(...problems);
      } else if (problems.length > 0) packFailures.push(`${pkg.manifest.name} (dependency): ${problems.join('; ')}`);
    } catch (error) {
      if (row) {
        row.status.pack = 'FAIL';
        row.problems.push((error as Error).message);
      } else packFailures.push(`${pkg.manifest.name} (dependency): ${(error as Error).message}`);
    }
  }
  console.log(`packed ${installed.length} package(s) into ${packDir} (${elapsed()})`);

  await pool(rows, Math.max(2, availableParallelism()), lint);
  console.log(`publint and attw done (${elapsed()})`);

  let consumerFailure: string | undefined;
  if (installed.every((pkg) => pkg.tarball !== undefined)) {
    consumerFailure = await consumerSmokeTest(rows, installed);
    console.log(`consumer smoke test done (${elapsed()})`);
  } else {
    consumerFailure = 'consumer smoke test skipped: a package did not pack';
    for (const row of rows) row.status.require = row.status.import = row.status.dual = 'skip';
  }

  printTable(rows);
  const failed = rows.filter((row) => row.problems.length > 0 || Object.values(row.status).includes('FAIL'));
  const failures = [...packFailures, ...(consumerFailure ? [consumerFailure] : [])];
  for (const row of failed) {
    console.error(`\n✗ ${row.pkg.manifest.name}`);
    for (const problem of row.problems) console.error(problem.replace(/^/gm, '    '));
  }
  for (const failure of failures) console.error(`\n✗ ${failure}`);
  if (failed.length > 0 || failures.length > 0) {
    console.error(`\ncheck-packages: FAILED (${failed.length} of ${rows.length} package(s); ${elapsed()})`);
    return 1;
  }
  console.log(`\ncheck-packages: ${rows.length} package(s) OK in ${elapsed()}`);
  return 0;
}

process.exitCode = await main();
