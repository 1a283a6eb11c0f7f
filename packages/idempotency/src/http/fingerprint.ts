import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';

/** What identifies "the same request" besides its key. */
export interface HttpFingerprintInput {
  /** The request method, e.g. `POST`. */
  readonly method: string;
  /**
   * The concrete path with its query string as the client sent it (`/orders/7?dryRun=1`), not the
   * route template: `/orders/7` and `/orders/8` under one key are two different requests.
   */
  readonly url: string;
  /** The request's `Content-Type`, which decides whether a string or byte body is JSON. */
  readonly contentType?: string | undefined;
  /**
   * The body as the framework holds it: parsed (object, array, scalar), a string or bytes, or
   * `undefined` when there is none (or no body parser ran).
   */
  readonly body: unknown;
}

// Tags keep the body kinds apart: a raw "null" text and a JSON null are different payloads.
const NONE = 'none';
const JSON_TAG = 'json';
const RAW = 'raw';

/**
 * The fingerprint stored with a key: SHA-256 over method, URL and the body, base64url. JSON bodies
 * (parsed ones, or strings and bytes sent as `application/json` or `+json`) are hashed as
 * canonical JSON, so key order and whitespace do not matter; any other body is hashed as its raw
 * bytes.
 */
export function httpFingerprint(input: HttpFingerprintInput): string {
  const hash = createHash('sha256');
  hash.update(input.method.toUpperCase());
  hash.update('\0');
  hash.update(input.url);
  hash.update('\0');
  const { tag, bytes } = bodyBytes(input.body, input.contentType);
  hash.update(tag);
  hash.update('\0');
  hash.update(bytes);
  return hash.digest('base64url');
}

function bodyBytes(body: unknown, contentType: string | undefined): { tag: string; bytes: string | Uint8Array } {
  if (body === undefined) return { tag: NONE, bytes: '' };
  if (typeof body === 'string' || body instanceof Uint8Array) {
    if (isJsonMediaType(contentType)) {
      const parsed = tryParse(typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
      if (parsed.ok) return { tag: JSON_TAG, bytes: canonicalJson(parsed.value) };
    }
    return { tag: RAW, bytes: body };
  }
  return { tag: JSON_TAG, bytes: canonicalJson(body) };
}

/** `application/json`, `application/problem+json`, `text/json`…, parameters ignored. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  const type = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  const slash = type.indexOf('/');
  if (slash === -1) return false;
  const subtype = type.slice(slash + 1);
  return subtype === 'json' || subtype.endsWith('+json');
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
