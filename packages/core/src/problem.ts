/** RFC 9457 media type for problem details. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An RFC 9457 problem body. `type: 'about:blank'` means the status code says it all. */
export interface ProblemDetails {
  readonly type: 'about:blank';
  readonly title: string;
  readonly status: number;
  readonly detail: string;
}

// With `about:blank`, RFC 9457 wants the title to be the status's reason phrase.
const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  409: 'Conflict',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * The problem body every Breakwater adapter answers with (503 shed, 504 deadline, 429 limited,
 * 409/422 idempotency conflicts), so Express, Fastify and fetch users see the same JSON.
 */
export function problemDetails(status: number, detail: string): ProblemDetails {
  return { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail };
}
