import type { BenchCase } from './measure.ts';

/** One comparison group: its cases run in one process so their ratios are fair. */
export interface BenchGroup {
  readonly title: string;
  /** The case every ratio is taken against (usually a bare `await fn()`). */
  readonly baseline: string;
  /** Head-to-head pairs `[ours, theirs]`, reported as the median across runs of ours / theirs in the same run. */
  readonly comparisons?: readonly (readonly [string, string])[];
  /** Prepares the cases (policies are built once, outside the timed loop). */
  setup(): Promise<Record<string, BenchCase>> | Record<string, BenchCase>;
  /** Releases what setup made (servers, clients). */
  teardown?(): Promise<void> | void;
}
