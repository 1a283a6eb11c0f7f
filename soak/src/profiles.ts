/** How long and how hard: `ci` fits a CI job (≈1.5 min), `long` is for nightly runs. */
export interface SoakProfile {
  readonly name: string;
  /** Length of each phase of the schedule, in ms. */
  readonly phaseMs: number;
  /** Requests per second across all services. */
  readonly rate: number;
}

export const PROFILES: Readonly<Record<string, SoakProfile>> = {
  ci: { name: 'ci', phaseMs: 8_000, rate: 100 },
  long: { name: 'long', phaseMs: 120_000, rate: 300 },
};
