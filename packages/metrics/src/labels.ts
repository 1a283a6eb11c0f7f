/** What every name past `maxPolicies` is reported as. */
export const OTHER = 'other';

/**
 * The closed set of `policy` label values of one metric: the first `max` distinct names, then
 * {@link OTHER} for every further one. Resolved once per binding, never per call.
 */
export class PolicyLabels {
  readonly #max: number;
  readonly #seen = new Set<string>();

  constructor(max: number) {
    this.#max = max;
  }

  /** Distinct names admitted so far. */
  get size(): number {
    return this.#seen.size;
  }

  label(name: string): string {
    if (this.#seen.has(name)) return name;
    if (this.#seen.size >= this.#max) return OTHER;
    this.#seen.add(name);
    return name;
  }
}

/** Outcome labels of `breakwater_retry_*`: a retry, a success, or why the policy gave up. */
export const GIVE_UP_REASONS = ['exhausted', 'delay-budget', 'budget', 'not-handled', 'aborted'] as const;
export type GiveUpReasonLabel = (typeof GIVE_UP_REASONS)[number] | 'unknown';

export const CIRCUIT_STATES = ['closed', 'open', 'half-open', 'isolated'] as const;
export type CircuitStateLabel = (typeof CIRCUIT_STATES)[number];

/** cockatiel's numeric `CircuitState` enum, in order: Closed, Open, HalfOpen, Isolated. */
const COCKATIEL_STATES: readonly CircuitStateLabel[] = CIRCUIT_STATES;

/** A value from a closed set, or `fallback` for anything else (a label value is never free text). */
export function closedLabel<const T extends string, F extends string>(value: unknown, allowed: readonly T[], fallback: F): T | F {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

/** A circuit state from a Breakwater string or a cockatiel number; undefined when unknown. */
export function circuitState(value: unknown): CircuitStateLabel | undefined {
  if (typeof value === 'number') return COCKATIEL_STATES[value];
  return CIRCUIT_STATES.includes(value as CircuitStateLabel) ? (value as CircuitStateLabel) : undefined;
}
