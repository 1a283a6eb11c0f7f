/** One attempt of a resilient fetch, as listed on `FetchAttemptsError.attempts` and `onAttempt`. */
export interface FetchAttempt {
  /** 0 for the first attempt of the call, counting hedged attempts too. */
  readonly index: number;
  /** The retry round: 0 for the first, 1 for the first retry. */
  readonly retry: number;
  /** 0 for the primary attempt of a round, 1 for its first hedge. */
  readonly hedge: number;
  /** The origin the attempt was sent to (`https://api.example.com`). */
  readonly origin: string;
  /** The response status, when a response arrived. */
  status?: number;
  /** The error, when none did (a network error, an attempt timeout, an open breaker). */
  error?: unknown;
  /** How long the attempt took to its response headers or error, in ms. */
  durationMs: number;
  /** The delay waited after this attempt before the next retry round, in ms; undefined when none followed. */
  delayMs?: number;
  /** True when a hedge won the round and this attempt was aborted (or its response discarded). */
  cancelled?: boolean;
}
