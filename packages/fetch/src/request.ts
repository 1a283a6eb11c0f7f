import type { Plan } from './resolve.ts';

/** A request taken apart once per call: what every attempt re-sends. */
export class PreparedRequest {
  readonly input: string | URL | Request;
  /** The URL's origin (`http://127.0.0.1:8080`), the default breaker key. */
  readonly origin: string;
  /** Upper case. */
  readonly method: string;
  /** The caller's init without `signal` and `breakwater`; `headers` replaced when a key was added. Undefined when there was none. */
  readonly init: RequestInit | undefined;
  /** The caller's signal (`init.signal`, or the Request's own). */
  readonly signal: AbortSignal | undefined;
  /** True when the body can be sent again: none, or a value fetch does not consume. */
  readonly replayable: boolean;
  /** True when the request carries an idempotency key (given or generated). */
  readonly hasKey: boolean;
  readonly #href: string;
  #url: URL | undefined;

  constructor(
    input: string | URL | Request,
    href: string,
    url: URL | undefined,
    origin: string,
    method: string,
    init: RequestInit | undefined,
    signal: AbortSignal | undefined,
    replayable: boolean,
    hasKey: boolean,
  ) {
    this.input = input;
    this.#href = href;
    this.#url = url;
    this.origin = origin;
    this.method = method;
    this.init = init;
    this.signal = signal;
    this.replayable = replayable;
    this.hasKey = hasKey;
  }

  /** The parsed URL, made on first use: the common path needs only the origin. */
  get url(): URL {
    return (this.#url ??= new URL(this.#href));
  }
}

/**
 * Takes a request apart, or returns undefined when its URL does not parse (a relative URL, a
 * typo): such a request goes to the wrapped fetch as it is, to fail there exactly as it would.
 */
export function prepare(input: string | URL | Request, init: (RequestInit & { breakwater?: unknown }) | undefined, plan: Plan): PreparedRequest | undefined {
  const request = isRequest(input) ? input : undefined;
  let url: URL | undefined;
  let href: string;
  let origin: string | undefined;
  if (input instanceof URL) {
    url = input;
    href = input.href;
    origin = input.origin;
  } else {
    href = request === undefined ? String(input) : request.url;
    origin = memoOrigin(href);
    if (origin === undefined) {
      const parsed = URL.parse(href);
      if (parsed === null) return undefined;
      url = parsed;
      origin = parsed.origin;
    }
  }
  let rest: RequestInit | undefined;
  let signal: AbortSignal | null | undefined;
  if (init !== undefined) {
    const { breakwater: _overrides, signal: given, ...others } = init;
    rest = others;
    signal = given;
  }
  signal ??= request?.signal;
  const given = rest?.method ?? request?.method;
  const method = given === undefined ? 'GET' : given.toUpperCase();

  let hasKey = false;
  // Only unsafe methods need their headers read: GET & co. stay on the fast path.
  if (method === 'POST' || method === 'PATCH') {
    const header = plan.keyHeader;
    const source = rest?.headers ?? request?.headers;
    const existing = source === undefined ? null : new Headers(source).get(header);
    if (existing !== null && existing.trim().length > 0) hasKey = true;
    else if (plan.idempotency !== undefined) {
      const headers = new Headers(source);
      headers.set(header, plan.idempotency.generate());
      (rest ??= {}).headers = headers;
      hasKey = true;
    }
  }

  let replayable: boolean;
  if (rest !== undefined && 'body' in rest) replayable = isReplayableBody(rest.body);
  // A Request's body is a stream we cannot tell apart from a one-shot upload: never re-sent.
  else replayable = request === undefined || request.body === null;
  return new PreparedRequest(input, href, url, origin, method, rest, signal ?? undefined, replayable, hasKey);
}

/**
 * Bodies fetch reads without consuming them, so the same value can be sent again: strings,
 * buffers, Blobs, URLSearchParams and FormData. A ReadableStream or an async iterable is read
 * once; re-sending it would send nothing (or throw), and buffering it would hold a whole upload
 * in memory, so such a request is never retried nor hedged.
 */
export function isReplayableBody(body: unknown): boolean {
  if (body === null || body === undefined || typeof body === 'string') return true;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return true;
  if (typeof SharedArrayBuffer !== 'undefined' && body instanceof SharedArrayBuffer) return true;
  return body instanceof Blob || body instanceof URLSearchParams || body instanceof FormData;
}

/** A fetch `Request`, from this realm's fetch or another implementation's (duck-typed). */
function isRequest(value: unknown): value is Request {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof URL) &&
    typeof (value as { url?: unknown }).url === 'string' &&
    typeof (value as { method?: unknown }).method === 'string'
  );
}

/** The origin {@link plainOrigin} read last; see {@link memoOrigin}. */
let lastOrigin = '';

/**
 * {@link plainOrigin}, remembering the last origin read: a client calling one host sends URLs
 * that begin with the same origin, and a canonical origin followed by `/`, `?`, `#` or nothing is
 * that URL's origin whatever comes after it, so one `startsWith` replaces the scan.
 */
export function memoOrigin(href: string): string | undefined {
  const last = lastOrigin;
  if (last.length > 0 && href.startsWith(last)) {
    const next = href.length === last.length ? 47 : href.charCodeAt(last.length);
    if (next === 47 || next === 63 || next === 35) return last;
  }
  const origin = plainOrigin(href);
  if (origin !== undefined) lastOrigin = origin;
  return origin;
}

/**
 * The origin of an absolute http(s) URL written in canonical form (lower-case host of letters,
 * digits, dots and hyphens, an optional port), read without building a URL: parsing is a tenth
 * of the wrapper's cost per call. Anything else (upper case, userinfo, IPv6, IDN, escapes, an
 * odd port) returns undefined and goes through `URL.parse`, which normalises it.
 */
export function plainOrigin(href: string): string | undefined {
  let start: number;
  if (href.startsWith('https://')) start = 8;
  else if (href.startsWith('http://')) start = 7;
  else return undefined;
  let end = href.length;
  let colon = -1;
  for (let i = start; i < href.length; i++) {
    const code = href.charCodeAt(i);
    if (code === 47 || code === 63 || code === 35) {
      end = i;
      break;
    }
    if (code === 58) {
      if (colon !== -1) return undefined;
      colon = i;
    } else if (!((code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 46 || code === 45)) return undefined;
    else if (colon !== -1 && !(code >= 48 && code <= 57)) return undefined;
  }
  const hostEnd = colon === -1 ? end : colon;
  if (!isPlainHost(href.slice(start, hostEnd))) return undefined;
  if (colon === -1) return href.slice(0, end);
  const port = href.slice(colon + 1, end);
  // An empty port or one with a leading zero is normalised by URL; a default port is dropped.
  if (port.length === 0 || port.charCodeAt(0) === 48 || port.length > 5) return undefined;
  if ((start === 7 && port === '80') || (start === 8 && port === '443')) return href.slice(0, colon);
  return href.slice(0, end);
}

/**
 * A host URL leaves as it is: a dotted-quad IPv4 address without leading zeros, or a domain whose
 * last label is not numeric (URL reads `0x7f.1` or `2130706433` as IPv4 and rewrites them).
 * One pass over the characters, no allocation: this runs on every request.
 */
function isPlainHost(host: string): boolean {
  const length = host.length;
  if (length === 0 || host.charCodeAt(0) === 46 || host.charCodeAt(length - 1) === 46 || host.includes('..')) return false;
  const lastStart = host.lastIndexOf('.') + 1;
  if (host.charCodeAt(lastStart) === 48 && host.charCodeAt(lastStart + 1) === 120) return false;
  let numericLast = true;
  for (let i = lastStart; i < length; i++) {
    const code = host.charCodeAt(i);
    if (code < 48 || code > 57) {
      numericLast = false;
      break;
    }
  }
  if (!numericLast) return true;
  // A numeric last label: only a canonical dotted quad is left unchanged by URL.
  let parts = 0;
  let value = 0;
  let digits = 0;
  let first = 0;
  for (let i = 0; i <= length; i++) {
    const code = i === length ? 46 : host.charCodeAt(i);
    if (code === 46) {
      if (digits === 0 || value > 255 || (first === 48 && digits > 1)) return false;
      parts++;
      value = 0;
      digits = 0;
      continue;
    }
    if (code < 48 || code > 57 || ++digits > 3) return false;
    if (digits === 1) first = code;
    value = value * 10 + (code - 48);
  }
  return parts === 4;
}
