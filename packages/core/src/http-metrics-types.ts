/**
 * The contract between the HTTP adapters' `httpMetrics` (Express, Fastify) and whatever records
 * their samples (`@breakwater/metrics`' `httpObserver()`), so neither imports the other.
 */
export interface HttpRequestSample {
  readonly method: string;
  /** The route template (`/items/:id`), or undefined when no route matched: never the raw URL. */
  readonly route: string | undefined;
  readonly status: number;
  readonly durationMs: number;
}

export type HttpRequestObserver = (sample: HttpRequestSample) => void;

/** What a `/metrics` endpoint needs of a registry: prom-client's `Registry` (or `register`) fits. */
export interface MetricsRegistry {
  readonly contentType: string;
  metrics(): Promise<string>;
}
