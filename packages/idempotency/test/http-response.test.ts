import { describe, expect, it } from 'vitest';
import {
  BodyCollector,
  IdempotencyConflictError,
  IdempotencyMismatchError,
  IdempotencyUnavailableError,
  InvalidIdempotencyKeyError,
  idempotencyProblem,
  isStoredHttpResponse,
  retryAfterSeconds,
  shouldStoreStatus,
  storableHeaders,
  toReplay,
  toStoredResponse,
} from '@breakwater/idempotency';

describe('shouldStoreStatus()', () => {
  it('stores 2xx, 3xx and final 4xx; releases 401 and 403 (about the caller), 408, 409, 425, 429 and 5xx', () => {
    for (const status of [200, 201, 204, 299, 301, 303, 400, 404, 410, 422, 499]) expect(shouldStoreStatus(status), String(status)).toBe(true);
    for (const status of [100, 101, 401, 403, 408, 409, 425, 429, 500, 502, 503, 504, 599, 600]) expect(shouldStoreStatus(status), String(status)).toBe(false);
  });

  it('stores 5xx only when told to', () => {
    expect(shouldStoreStatus(500, true)).toBe(true);
    expect(shouldStoreStatus(503, true)).toBe(true);
    expect(shouldStoreStatus(429, true)).toBe(false);
    expect(shouldStoreStatus(401, true)).toBe(false);
    expect(shouldStoreStatus(403, true)).toBe(false);
  });
});

describe('storableHeaders()', () => {
  it('drops Set-Cookie, hop-by-hop headers, those named in Connection, Content-Length, Date and Idempotent-Replayed', () => {
    const headers = storableHeaders({
      'Content-Type': 'application/json',
      'X-Order-Id': 7,
      'cache-control': 'no-store',
      link: ['<a>; rel="a"', '<b>; rel="b"'],
      'Set-Cookie': ['session=1'],
      connection: 'keep-alive, X-Hop',
      'x-hop': 'secret',
      'keep-alive': 'timeout=5',
      'transfer-encoding': 'chunked',
      'proxy-authenticate': 'Basic',
      te: 'trailers',
      trailer: 'x-checksum',
      upgrade: 'h2c',
      'content-length': '10',
      date: 'Mon, 23 Nov 2026 00:00:00 GMT',
      'idempotent-replayed': 'true',
      'x-undefined': undefined,
    });
    expect(headers).toEqual({ 'content-type': 'application/json', 'x-order-id': '7', 'cache-control': 'no-store', link: ['<a>; rel="a"', '<b>; rel="b"'] });
  });
});

describe('BodyCollector', () => {
  it('collects strings in their encoding and bytes, copying each chunk', () => {
    const collector = new BodyCollector(100);
    const reused = Buffer.from('cd');
    collector.add('ab');
    collector.add(reused);
    reused.write('zz');
    collector.add('6566', 'hex');
    collector.add(new Uint8Array([0x67]));
    collector.add(undefined);
    collector.add(() => undefined);
    expect(collector.body().toString()).toBe('abcdefg');
    expect(collector.bytes).toBe(7);
    expect(collector.overflowed).toBe(false);
  });

  it('stops at maxBytes and keeps nothing', () => {
    const collector = new BodyCollector(4);
    collector.add('abcd');
    expect(collector.overflowed).toBe(false);
    collector.add('e');
    expect(collector.overflowed).toBe(true);
    expect(collector.body().length).toBe(0);
    expect(new BodyCollector(0).overflowed).toBe(false);
  });
});

describe('toStoredResponse() and toReplay()', () => {
  it('round-trips status, safe headers and binary body through JSON, adding Content-Length and Idempotent-Replayed', () => {
    const body = Buffer.from([0, 1, 2, 255, 254]);
    const stored = toStoredResponse(201, { 'Content-Type': 'application/octet-stream', 'set-cookie': 'a=1', vary: ['accept', 'origin'] }, body);
    expect(stored).toEqual({ status: 201, headers: { 'content-type': 'application/octet-stream', vary: ['accept', 'origin'] }, body: body.toString('base64') });
    const travelled: unknown = JSON.parse(JSON.stringify(stored));
    expect(isStoredHttpResponse(travelled)).toBe(true);
    const replay = toReplay(travelled as typeof stored);
    expect(replay.status).toBe(201);
    expect(replay.body.equals(body)).toBe(true);
    expect(replay.headers).toEqual({ 'content-type': 'application/octet-stream', vary: ['accept', 'origin'], 'content-length': '5', 'idempotent-replayed': 'true' });
  });

  it('recognises only stored HTTP responses', () => {
    for (const value of [null, 'x', 1, {}, { status: 99, headers: {}, body: '' }, { status: 200.5, headers: {}, body: '' }, { status: 200, headers: [], body: '' }, { status: 200, headers: {}, body: 1 }]) {
      expect(isStoredHttpResponse(value), JSON.stringify(value)).toBe(false);
    }
    expect(isStoredHttpResponse({ status: 204, headers: {}, body: '' })).toBe(true);
  });
});

describe('idempotencyProblem()', () => {
  it('maps each idempotency error to its status, detail and Retry-After', () => {
    expect(idempotencyProblem(new InvalidIdempotencyKeyError('empty', 'empty'))).toEqual({ status: 400, detail: 'The Idempotency-Key header is not a valid key.' });
    expect(idempotencyProblem(new IdempotencyConflictError(2_500))).toEqual({
      status: 409,
      detail: 'A request with this Idempotency-Key is still being processed; retry after 3 seconds.',
      retryAfter: 3,
    });
    expect(idempotencyProblem(new IdempotencyMismatchError(), 'X-Key')).toEqual({
      status: 422,
      detail: 'This X-Key was already used with a different request (method, URL or body).',
    });
    expect(idempotencyProblem(new IdempotencyUnavailableError(1_000))).toEqual({
      status: 503,
      detail: 'Idempotency keys cannot be checked right now; retry after 1 second.',
      retryAfter: 1,
    });
  });

  it('leaves every other error to the framework', () => {
    for (const error of [new Error('x'), null, undefined, 'ERR_BREAKWATER_IDEMPOTENCY_CONFLICT', { code: 'ERR_OTHER' }]) expect(idempotencyProblem(error)).toBeUndefined();
  });

  it('rounds Retry-After up to whole seconds, at least 1 and at most a day', () => {
    expect([undefined, -1, 0, 1, 999, 1_000, 1_001, 59_500, Infinity, 1e12].map(retryAfterSeconds)).toEqual([1, 1, 1, 1, 1, 1, 2, 60, 1, 86_400]);
  });
});
