import { readHeader, type HeadersLike } from './headers.ts';

/** Methods RFC 9110 §9.2.2 defines as idempotent, plus QUERY (safe, hence idempotent). */
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE', 'QUERY']);

export interface RequestLike {
  /** @default 'GET' (fetch's default) */
  readonly method?: string;
  readonly headers?: HeadersLike;
}

/**
 * True when sending the request twice is safe, so an adapter may retry it: idempotent methods
 * always, POST and PATCH only when they carry an `Idempotency-Key` (IETF draft), which lets the
 * server execute them at most once. Everything else (CONNECT, unknown methods) is not retried.
 *
 * @example
 * isIdempotentRequest({ method: 'POST', headers: { 'Idempotency-Key': '"8e03…"' } }); // true
 */
export function isIdempotentRequest(request: RequestLike): boolean {
  const method = (request.method ?? 'GET').toUpperCase();
  if (IDEMPOTENT_METHODS.has(method)) return true;
  if (method !== 'POST' && method !== 'PATCH') return false;
  const key = readHeader(request.headers, 'idempotency-key');
  return key !== undefined && key.trim().length > 0;
}
