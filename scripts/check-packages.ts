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
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { consumerSmokeTest } from './check-packages/consumer-smoke.ts';
import { type Row, bin, packDir } from './check-packages/model.ts';
import { checkPackedManifest, lint, pack } from './check-packages/pack-and-lint.ts';
import { printTable } from './check-packages/report.ts';
import { pool } from './check-packages/run.ts';
import { discoverPublicPackages, internalClosure } from './check-packages/workspace.ts';

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
