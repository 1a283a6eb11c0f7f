// Installs every packed tarball into a throwaway consumer and runs the smoke scripts there.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Pkg, type Row, type RunResult } from './model.ts';
import { clip, output, run } from './run.ts';
import { CJS_SMOKE, ESM_SMOKE } from './smoke-scripts.ts';
import { subpaths } from './workspace.ts';

export interface SmokeResult {
  readonly ok: boolean;
  readonly keys?: string[];
  readonly error?: string;
  readonly dual?: string[];
  readonly dualSkipped?: string[];
  readonly dualChecked?: string[];
}

export async function consumerSmokeTest(rows: readonly Row[], installed: readonly Pkg[]): Promise<string | undefined> {
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
