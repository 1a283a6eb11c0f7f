/**
 * Stands for any third-party SDK that lets you pass your own `fetch` (Stripe, OpenAI, Octokit,
 * most generated clients do). It knows nothing about retries: that is the point.
 */
export interface Quote {
  readonly symbol: string;
  readonly price: number;
  readonly served_by: string;
}

export class QuotesApiError extends Error {
  override name = 'QuotesApiError';
  readonly status: number;

  constructor(status: number) {
    super(`Quotes API answered ${status}`);
    this.status = status;
  }
}

export class QuotesClient {
  readonly #baseUrl: string;
  readonly #fetch: typeof fetch;

  constructor(options: { baseUrl: string; fetch?: typeof fetch }) {
    this.#baseUrl = options.baseUrl;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  async quote(symbol: string, signal?: AbortSignal): Promise<Quote> {
    const response = await this.#fetch(`${this.#baseUrl}/quotes/${encodeURIComponent(symbol)}`, { signal });
    if (!response.ok) {
      await response.body?.cancel();
      throw new QuotesApiError(response.status);
    }
    return (await response.json()) as Quote;
  }
}
