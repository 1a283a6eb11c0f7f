import type { StoredHttpResponse } from '../types.ts';
import { REPLAYED_HEADER, storableHeaders, type OutgoingHeaderValue } from './headers.ts';

/**
 * Collects a response body as it is written, up to `maxBytes`; past that it stops copying and
 * reports `overflowed`, and the response is sent but not stored (its key is released).
 */
export class BodyCollector {
  readonly #chunks: Buffer[] = [];
  readonly #maxBytes: number;
  #bytes = 0;
  #overflowed = false;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get overflowed(): boolean {
    return this.#overflowed;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Adds a chunk as `res.write`/`res.end` receive it (a string with its encoding, or bytes). */
  add(chunk: unknown, encoding?: unknown): void {
    if (this.#overflowed || chunk === undefined || chunk === null || typeof chunk === 'function') return;
    let buffer: Buffer;
    if (typeof chunk === 'string') buffer = Buffer.from(chunk, isEncoding(encoding) ? encoding : 'utf8');
    else if (chunk instanceof Uint8Array) buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    else return;
    if (buffer.length === 0) return;
    if (this.#bytes + buffer.length > this.#maxBytes) {
      this.#overflowed = true;
      this.#chunks.length = 0;
      return;
    }
    // A copy: the caller may reuse its buffer once write() returns.
    this.#chunks.push(Buffer.from(buffer));
    this.#bytes += buffer.length;
  }

  body(): Buffer {
    return Buffer.concat(this.#chunks, this.#bytes);
  }
}

function isEncoding(value: unknown): value is BufferEncoding {
  return typeof value === 'string' && Buffer.isEncoding(value);
}

/** What a replay stores: the status, the safe headers, the body as base64. */
export function toStoredResponse(status: number, headers: Readonly<Record<string, OutgoingHeaderValue>>, body: Uint8Array): StoredHttpResponse {
  return { status, headers: storableHeaders(headers), body: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64') };
}

/** A stored response ready to write: its body bytes and its headers plus `Content-Length` and `Idempotent-Replayed: true`. */
export interface Replay {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/** Turns a stored response (possibly from another process, through Redis) into what a replay writes. */
export function toReplay(stored: StoredHttpResponse): Replay {
  const body = Buffer.from(stored.body, 'base64');
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(stored.headers)) headers[name] = typeof value === 'string' ? value : [...value];
  headers['content-length'] = String(body.length);
  headers[REPLAYED_HEADER] = 'true';
  return { status: stored.status, headers, body };
}

/** Checks the shape of a value read back as a stored response (a store shared with other code may hold anything). */
export function isStoredHttpResponse(value: unknown): value is StoredHttpResponse {
  if (value === null || typeof value !== 'object') return false;
  const { status, headers, body } = value as Record<string, unknown>;
  return (
    typeof status === 'number' &&
    Number.isInteger(status) &&
    status >= 200 &&
    status <= 599 &&
    typeof body === 'string' &&
    headers !== null &&
    typeof headers === 'object' &&
    !Array.isArray(headers)
  );
}
