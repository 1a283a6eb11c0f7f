// Packs a package, checks the packed manifest, and runs publint and attw on the tarball.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Manifest, type Pkg, type Row, bin, packDir, root } from './model.ts';
import { output, run } from './run.ts';

export async function pack(pkg: Pkg): Promise<string> {
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
export async function checkPackedManifest(tarball: string): Promise<string[]> {
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
export async function lint(row: Row): Promise<void> {
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
