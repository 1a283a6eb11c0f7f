// Finds the public workspace packages, their export subpaths, and what they depend on.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Manifest, type Pkg, root } from './model.ts';

export function discoverPublicPackages(): Pkg[] {
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
export function subpaths(manifest: Manifest): { specifiers: string[]; problems: string[] } {
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
export function internalClosure(selected: readonly Pkg[], all: readonly Pkg[]): Pkg[] {
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
