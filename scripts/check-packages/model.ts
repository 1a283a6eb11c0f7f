// Shapes and paths shared by the packaging check.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// This file is scripts/check-packages/model.ts: the repository is two levels up.
export const root = fileURLToPath(new URL('../..', import.meta.url));
export const packDir = join(root, '.pack');
export const bin = (name: string): string => join(root, 'node_modules', '.bin', name);
export const OUTPUT_LIMIT = 6_000;

export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly exports?: unknown;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

export interface Pkg {
  /** Folder name under packages/, e.g. `core`. */
  readonly folder: string;
  readonly dir: string;
  readonly manifest: Manifest;
  tarball?: string;
}

export type Status = 'ok' | 'FAIL' | 'skip' | '-';
export const COLUMNS = ['pack', 'publint', 'attw', 'require', 'import', 'dual'] as const;
export type Column = (typeof COLUMNS)[number];

export interface Row {
  readonly pkg: Pkg;
  readonly status: Record<Column, Status>;
  readonly problems: string[];
  /** What the smoke test covered, printed under the table. */
  readonly details: string[];
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}
