/**
 * Headers as HTTP clients hand them over: a fetch `Headers` (or anything with `get()`), or a
 * plain object such as Node's `IncomingHttpHeaders`, whose values may be arrays.
 */
export type HeadersLike =
  | { get(name: string): string | null | undefined }
  | Readonly<Record<string, string | readonly string[] | number | undefined>>;

/** Reads one header case-insensitively; `name` must be lower case. First value of a list. */
export function readHeader(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  const getter = (headers as { get?: unknown }).get;
  if (typeof getter === 'function') {
    const value: unknown = getter.call(headers, name);
    return typeof value === 'string' ? value : undefined;
  }
  const record = headers as Record<string, unknown>;
  let value = record[name];
  if (value === undefined) {
    // Plain objects built by hand keep their casing (`Retry-After`); Node lower-cases its own.
    for (const key of Object.keys(record)) {
      if (key.toLowerCase() === name) {
        value = record[key];
        break;
      }
    }
  }
  if (Array.isArray(value)) value = value[0];
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' ? value : undefined;
}

/** The headers of a response-like value, or of the `response` an HTTP error carries (ky, got). */
export function headersOf(source: object): unknown {
  const own = (source as { headers?: unknown }).headers;
  if (own !== null && typeof own === 'object') return own;
  const response = (source as { response?: unknown }).response;
  if (response !== null && typeof response === 'object') {
    const nested = (response as { headers?: unknown }).headers;
    if (nested !== null && typeof nested === 'object') return nested;
  }
  return undefined;
}
