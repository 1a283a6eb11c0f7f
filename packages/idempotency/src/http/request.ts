import { readKeyHeader } from './key-header.ts';
import { invalidKeyProblem, missingKeyProblem, type IdempotencyProblem } from './problem.ts';
import type { ResolvedIdempotencyHttp } from './options.ts';

/** What an adapter does with a request before any store call. */
export type KeyDecision =
  | { readonly action: 'pass' }
  | { readonly action: 'answer'; readonly problem: IdempotencyProblem }
  | { readonly action: 'guard'; readonly key: string };

const PASS: KeyDecision = { action: 'pass' };

/**
 * Other methods pass; a guarded method without a key passes (or gets 400 when `required`); a
 * malformed key gets 400; a well-formed one is guarded. `keyLines` is the header's field lines
 * (`req.headersDistinct[headerKey]`).
 */
export function decideRequest(resolved: ResolvedIdempotencyHttp<never>, method: string, keyLines: readonly string[] | undefined): KeyDecision {
  if (!resolved.methods.has(method)) return PASS;
  const read = readKeyHeader(keyLines, resolved.header);
  if (read.kind === 'missing') return resolved.required ? { action: 'answer', problem: missingKeyProblem(resolved.header) } : PASS;
  if (read.kind === 'invalid') return { action: 'answer', problem: invalidKeyProblem(read.detail) };
  return { action: 'guard', key: read.key };
}

/** Checks what a `scope(request)` option returned: a string, or undefined for the shared namespace. */
export function checkScope(value: unknown): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw new TypeError(`Expected \`scope(request)\` to return a string or undefined, got ${value === null ? 'null' : typeof value}`);
}
