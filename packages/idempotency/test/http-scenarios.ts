/**
 * One scenario table for the HTTP face of idempotency keys, run against Express
 * (packages/express/test/idempotency.test.ts) and Fastify (packages/fastify/test/idempotency.test.ts):
 * both adapters must give the same statuses, headers and problem bodies. Each framework's test
 * starts an app with the routes described on {@link StartScenarioApp}.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Inbox } from 'breakwater-test-utils';
import { idempotency, memoryStore, type IdempotencyLike, type IdempotencyOutcomeEvent } from '../src/index.ts';
import type { IdempotencyStore } from '../src/store.ts';

/** A request parked in `POST /gated` until the test lets it answer. */
export interface Gate {
  /** Lets the handler answer with `status` (200 by default) and `{ gated: <call number> }`. */
  release(status?: number): void;
}

export interface ScenarioApp {
  readonly url: string;
  /** Handler runs by route name (`orders`, `gated`, `fail`, `throws`, `status`, `text`, `big`, `list`). */
  readonly calls: Record<string, number>;
  readonly gates: Inbox<Gate>;
  close(): Promise<void>;
}

export interface ScenarioSpec {
  readonly idempotency: IdempotencyLike;
  readonly required?: boolean;
  /** Pass `scope: (request) => request.headers['x-tenant']`. */
  readonly scoped?: boolean;
  readonly storeServerErrors?: boolean;
  readonly maxBodyBytes?: number;
}

/**
 * Starts the app under test on 127.0.0.1 with the middleware/plugin configured from `spec` and
 * these routes (JSON body parsing, and text/plain parsed to a string), each counting its calls:
 * - `POST /orders`, `PATCH /orders/:id` (`orders`): 201 (PATCH: 200) JSON `{ order: <call>, received: <body> }`
 *   with `x-order-id: <call>`, `cache-control: no-store`, `set-cookie: session=<call>`;
 * - `POST /gated` (`gated`): pushes a {@link Gate}, answers when released;
 * - `POST /fail` (`fail`): 500 JSON `{ error: 'boom' }` on the first call, then like /orders;
 * - `POST /throws` (`throws`): throws on the first call (the framework's error handler answers 500), then 201 `{ ok: true }`;
 * - `POST /status?code=N` (`status`): status N with JSON `{ status: N }`;
 * - `POST /text` (`text`): 201 text/plain `got <length>`;
 * - `POST /big?size=N` (`big`): 200 `application/octet-stream` of N bytes `x`;
 * - `GET /orders` (`list`): 200 JSON `{ list: <call> }`.
 */
export type StartScenarioApp = (spec: ScenarioSpec) => Promise<ScenarioApp>;

export interface Sent {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  readonly json: unknown;
}

/**
 * One request on its own connection (node:http, so a header can be sent twice and the request
 * aborted). `headers` is a flat `[name, value, …]` list.
 */
export function send(url: string, method: string, path: string, options: { headers?: string[]; body?: string; type?: string; signal?: AbortSignal } = {}): Promise<Sent> {
  const list = [...(options.headers ?? [])];
  if (options.body !== undefined) list.push('content-type', options.type ?? 'application/json', 'content-length', String(Buffer.byteLength(options.body)));
  // A name given twice becomes an array: node:http sends one field line per value.
  const headers: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < list.length; i += 2) {
    const [name, value] = [list[i]!, list[i + 1]!];
    const previous = headers[name];
    headers[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method, headers, agent: false, signal: options.signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const type = res.headers['content-type'] ?? '';
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: type.includes('json') ? (JSON.parse(text) as unknown) : undefined });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const key = (value: string): string[] => ['idempotency-key', value];

function problem(status: number, title: string, detail: string) {
  return { type: 'about:blank', title, status, detail };
}

/** A store whose every call rejects, as a dead Redis does. */
export function downStore(): IdempotencyStore & { calls: number } {
  const fail = (): Promise<never> => {
    down.calls++;
    return Promise.reject(new Error('connection refused'));
  };
  const down = { calls: 0, claim: fail, renew: fail, saveStep: fail, complete: fail, release: fail, get: fail };
  return down;
}

/** The safe headers a replay must restore unchanged. */
function safeHeaders(headers: IncomingHttpHeaders) {
  return { type: headers['content-type'], order: headers['x-order-id'], cache: headers['cache-control'], length: headers['content-length'] };
}

export function idempotencyScenarios(framework: string, start: StartScenarioApp): void {
  describe(`idempotency keys over HTTP (${framework})`, () => {
    let app: ScenarioApp | undefined;
    afterEach(async () => {
      await app?.close();
      app = undefined;
    });
    /** Starts the app; `outcomes` reports each run() as it settles (the store is written by then). */
    const open = async (spec: Partial<ScenarioSpec> = {}): Promise<ScenarioApp & { outcomes: Inbox<IdempotencyOutcomeEvent> }> => {
      const idem = idempotency({ store: memoryStore() });
      const outcomes = new Inbox<IdempotencyOutcomeEvent>();
      idem.onOutcome((event) => outcomes.push(event));
      const started = await start({ idempotency: idem, ...spec });
      app = started;
      return Object.assign(started, { outcomes });
    };

    it('runs the first request, then replays status, body and safe headers with Idempotent-Replayed: true and no Set-Cookie', async () => {
      const { url, calls } = await open();
      const first = await send(url, 'POST', '/orders', { headers: key('k-1'), body: '{"item":"book","qty":2}' });
      expect(first.status).toBe(201);
      expect(first.json).toEqual({ order: 1, received: { item: 'book', qty: 2 } });
      expect(first.headers['set-cookie']).toEqual(['session=1']);
      expect(first.headers['idempotent-replayed']).toBeUndefined();

      const again = await send(url, 'POST', '/orders', { headers: key('k-1'), body: '{"item":"book","qty":2}' });
      expect(again.status).toBe(201);
      expect(again.text).toBe(first.text);
      expect(safeHeaders(again.headers)).toEqual(safeHeaders(first.headers));
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.headers['set-cookie']).toBeUndefined();
      expect(calls['orders']).toBe(1);
    });

    it('treats JSON bodies with the same members in another order (and other whitespace) as the same request', async () => {
      const { url, calls } = await open();
      const first = await send(url, 'POST', '/orders', { headers: key('k-canon'), body: '{"a":1,"b":{"c":2,"d":[1,2]}}' });
      const again = await send(url, 'POST', '/orders', { headers: key('k-canon'), body: '{ "b": { "d": [1, 2], "c": 2 }, "a": 1 }' });
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.text).toBe(first.text);
      expect(calls['orders']).toBe(1);
    });

    it('answers 422 problem+json when the key comes back with a different body, method or URL', async () => {
      const { url, calls } = await open();
      await send(url, 'POST', '/orders', { headers: key('k-2'), body: '{"qty":1}' });
      const expected = problem(422, 'Unprocessable Content', 'This Idempotency-Key was already used with a different request (method, URL or body).');
      for (const [method, path, body] of [
        ['POST', '/orders', '{"qty":2}'],
        ['POST', '/orders?x=1', '{"qty":1}'],
        ['PATCH', '/orders/7', '{"qty":1}'],
      ] as const) {
        const mismatch = await send(url, method, path, { headers: key('k-2'), body });
        expect(mismatch.status).toBe(422);
        expect(mismatch.headers['content-type']).toBe('application/problem+json');
        expect(mismatch.json).toEqual(expected);
      }
      expect(calls['orders']).toBe(1);
    });

    it('answers 400 problem+json to empty, too long, control-character, non-ASCII, malformed quoted and repeated keys, without running the handler', async () => {
      const { url, calls } = await open();
      const cases: [string[], string][] = [
        [key(''), 'The Idempotency-Key header is empty.'],
        [key('""'), 'The Idempotency-Key header is empty.'],
        [key('k'.repeat(256)), 'The Idempotency-Key header is longer than 255 characters.'],
        [key('a\tb'), 'The Idempotency-Key header must hold printable ASCII characters only.'],
        [key('caf\u00e9'), 'The Idempotency-Key header must hold printable ASCII characters only.'],
        [key('"unterminated'), 'The Idempotency-Key header is not a valid quoted string.'],
        [[...key('a'), ...key('b')], 'The Idempotency-Key header must appear once; it appeared 2 times.'],
      ];
      for (const [headers, detail] of cases) {
        const answer = await send(url, 'POST', '/orders', { headers, body: '{}' });
        expect(answer.status, detail).toBe(400);
        expect(answer.headers['content-type']).toBe('application/problem+json');
        expect(answer.json).toEqual(problem(400, 'Bad Request', detail));
      }
      expect(calls['orders'] ?? 0).toBe(0);
      // 255 characters is the limit, and the IETF draft's quoted form is the same key as the bare one.
      expect((await send(url, 'POST', '/orders', { headers: key('k'.repeat(255)), body: '{}' })).status).toBe(201);
      expect((await send(url, 'POST', '/orders', { headers: key('"q-1"'), body: '{}' })).status).toBe(201);
      const bare = await send(url, 'POST', '/orders', { headers: key('q-1'), body: '{}' });
      expect(bare.headers['idempotent-replayed']).toBe('true');
    });

    it('answers 400 to a guarded request without a key when required, and lets it run unguarded when not', async () => {
      const strict = await open({ required: true });
      const missing = await send(strict.url, 'POST', '/orders', { body: '{}' });
      expect(missing.status).toBe(400);
      expect(missing.json).toEqual(problem(400, 'Bad Request', 'This request requires an Idempotency-Key header.'));
      expect(strict.calls['orders'] ?? 0).toBe(0);
      // Methods that are not guarded never need a key.
      expect((await send(strict.url, 'GET', '/orders')).status).toBe(200);
      await strict.close();

      const lax = await open();
      expect((await send(lax.url, 'POST', '/orders', { body: '{}' })).status).toBe(201);
      expect((await send(lax.url, 'POST', '/orders', { body: '{}' })).status).toBe(201);
      expect(lax.calls['orders']).toBe(2);
    });

    it('does not guard GET: the same key runs the handler every time', async () => {
      const { url, calls } = await open();
      await send(url, 'GET', '/orders', { headers: key('k-get') });
      const second = await send(url, 'GET', '/orders', { headers: key('k-get') });
      expect(second.json).toEqual({ list: 2 });
      expect(second.headers['idempotent-replayed']).toBeUndefined();
      expect(calls['list']).toBe(2);
    });

    it('answers 409 with Retry-After while the first request is in flight, then replays once it finished', async () => {
      const { url, calls, gates } = await open();
      const first = send(url, 'POST', '/gated', { headers: key('k-3'), body: '{}' });
      const gate = await gates.next();
      const duplicate = await send(url, 'POST', '/gated', { headers: key('k-3'), body: '{}' });
      expect(duplicate.status).toBe(409);
      expect(duplicate.headers['retry-after']).toBe('1');
      expect(duplicate.json).toEqual(problem(409, 'Conflict', 'A request with this Idempotency-Key is still being processed; retry after 1 second.'));
      gate.release();
      const done = await first;
      expect(done).toMatchObject({ status: 200, json: { gated: 1 } });
      const replay = await send(url, 'POST', '/gated', { headers: key('k-3'), body: '{}' });
      expect(replay).toMatchObject({ status: 200, json: { gated: 1 } });
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(calls['gated']).toBe(1);
    });

    it('keeps tenants apart: one cannot read, mismatch or block another tenant\'s key', async () => {
      const { url, calls, gates } = await open({ scoped: true });
      const a = ['x-tenant', 'a'];
      const b = ['x-tenant', 'b'];
      const first = await send(url, 'POST', '/orders', { headers: [...a, ...key('shared')], body: '{"for":"a"}' });
      expect(first.json).toEqual({ order: 1, received: { for: 'a' } });
      // B with the same key and another body: B's own first request, not A's replay nor a 422.
      const other = await send(url, 'POST', '/orders', { headers: [...b, ...key('shared')], body: '{"for":"b"}' });
      expect(other.status).toBe(201);
      expect(other.json).toEqual({ order: 2, received: { for: 'b' } });
      expect(other.headers['idempotent-replayed']).toBeUndefined();
      // B with A's exact request still runs its own.
      const same = await send(url, 'POST', '/orders', { headers: [...b, ...key('a-only')], body: '{"for":"a"}' });
      expect(same.json).toEqual({ order: 3, received: { for: 'a' } });
      // A key B holds in flight does not block A.
      const held = send(url, 'POST', '/gated', { headers: [...b, ...key('busy')], body: '{}' });
      const gate = await gates.next();
      const fromA = send(url, 'POST', '/gated', { headers: [...a, ...key('busy')], body: '{}' });
      const gateA = await gates.next();
      gateA.release(201);
      expect((await fromA).status).toBe(201);
      gate.release();
      expect((await held).status).toBe(200);
      expect(calls['gated']).toBe(2);
      expect(calls['orders']).toBe(3);
    });

    it('answers 503 with Retry-After when the store is down, and never runs the handler', async () => {
      const store = downStore();
      const { url, calls } = await open({ idempotency: idempotency({ store }) });
      const answer = await send(url, 'POST', '/orders', { headers: key('k-down'), body: '{}' });
      expect(answer.status).toBe(503);
      expect(answer.headers['retry-after']).toBe('1');
      expect(answer.json).toEqual(problem(503, 'Service Unavailable', 'Idempotency keys cannot be checked right now; retry after 1 second.'));
      expect(store.calls).toBeGreaterThan(0);
      expect(calls['orders'] ?? 0).toBe(0);
      // A request without a key does not touch the store.
      expect((await send(url, 'POST', '/orders', { body: '{}' })).status).toBe(201);
    });

    it('releases the key on a 500 response, so the retry runs; the retry\'s success is then replayed', async () => {
      const { url, calls } = await open();
      const failed = await send(url, 'POST', '/fail', { headers: key('k-5'), body: '{}' });
      expect(failed).toMatchObject({ status: 500, json: { error: 'boom' } });
      const retried = await send(url, 'POST', '/fail', { headers: key('k-5'), body: '{}' });
      expect(retried.status).toBe(201);
      expect(retried.headers['idempotent-replayed']).toBeUndefined();
      const replay = await send(url, 'POST', '/fail', { headers: key('k-5'), body: '{}' });
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.text).toBe(retried.text);
      expect(calls['fail']).toBe(2);
    });

    it('releases the key when the handler throws (the error handler answers 500)', async () => {
      const { url, calls } = await open();
      expect((await send(url, 'POST', '/throws', { headers: key('k-6'), body: '{}' })).status).toBe(500);
      expect(await send(url, 'POST', '/throws', { headers: key('k-6'), body: '{}' })).toMatchObject({ status: 201, json: { ok: true } });
      expect(calls['throws']).toBe(2);
    });

    it('stores 5xx responses when storeServerErrors is set', async () => {
      const { url, calls } = await open({ storeServerErrors: true });
      await send(url, 'POST', '/fail', { headers: key('k-7'), body: '{}' });
      const replay = await send(url, 'POST', '/fail', { headers: key('k-7'), body: '{}' });
      expect(replay).toMatchObject({ status: 500, json: { error: 'boom' } });
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(calls['fail']).toBe(1);
    });

    it('stores final 4xx answers but not 408, 409, 425 or 429', async () => {
      const { url, calls } = await open();
      for (const code of [404, 422]) {
        await send(url, 'POST', `/status?code=${code}`, { headers: key(`s-${code}`), body: '{}' });
        const replay = await send(url, 'POST', `/status?code=${code}`, { headers: key(`s-${code}`), body: '{}' });
        expect(replay).toMatchObject({ status: code, json: { status: code } });
        expect(replay.headers['idempotent-replayed']).toBe('true');
      }
      expect(calls['status']).toBe(2);
      for (const code of [408, 409, 425, 429]) {
        await send(url, 'POST', `/status?code=${code}`, { headers: key(`s-${code}`), body: '{}' });
        const again = await send(url, 'POST', `/status?code=${code}`, { headers: key(`s-${code}`), body: '{}' });
        expect(again.status).toBe(code);
        expect(again.headers['idempotent-replayed']).toBeUndefined();
      }
      expect(calls['status']).toBe(10);
    });

    it('fingerprints a text body by its bytes', async () => {
      const { url, calls } = await open();
      const first = await send(url, 'POST', '/text', { headers: key('k-text'), body: 'hello', type: 'text/plain' });
      expect(first).toMatchObject({ status: 201, text: 'got 5' });
      const replay = await send(url, 'POST', '/text', { headers: key('k-text'), body: 'hello', type: 'text/plain' });
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.headers['content-type']).toBe(first.headers['content-type']);
      const other = await send(url, 'POST', '/text', { headers: key('k-text'), body: 'hellO', type: 'text/plain' });
      expect(other.status).toBe(422);
      expect(calls['text']).toBe(1);
    });

    it('sends a response larger than maxBodyBytes but does not store it: the key is released', async () => {
      const { url, calls } = await open({ maxBodyBytes: 1_000 });
      const small = await send(url, 'POST', '/big?size=1000', { headers: key('k-small'), body: '{}' });
      expect(small.text).toBe('x'.repeat(1_000));
      expect((await send(url, 'POST', '/big?size=1000', { headers: key('k-small'), body: '{}' })).headers['idempotent-replayed']).toBe('true');
      const big = await send(url, 'POST', '/big?size=1001', { headers: key('k-big'), body: '{}' });
      expect(big.text).toBe('x'.repeat(1_001));
      const again = await send(url, 'POST', '/big?size=1001', { headers: key('k-big'), body: '{}' });
      expect(again.text).toBe('x'.repeat(1_001));
      expect(again.headers['idempotent-replayed']).toBeUndefined();
      expect(calls['big']).toBe(3);
    });

    it('keeps the key while a handler runs on after the client left, then stores its answer: the retry replays it', async () => {
      const { url, calls, gates, outcomes } = await open();
      const controller = new AbortController();
      const gone = send(url, 'POST', '/gated', { headers: key('k-gone'), body: '{}', signal: controller.signal });
      const gate = await gates.next();
      controller.abort();
      await expect(gone).rejects.toThrow();
      // Still running: a retry now is a conflict, not a second run.
      expect((await send(url, 'POST', '/gated', { headers: key('k-gone'), body: '{}' })).status).toBe(409);
      expect((await outcomes.next()).outcome).toBe('conflict');
      gate.release(201);
      expect((await outcomes.next()).outcome).toBe('executed');
      const replay = await send(url, 'POST', '/gated', { headers: key('k-gone'), body: '{}' });
      expect(replay).toMatchObject({ status: 201, json: { gated: 1 } });
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(calls['gated']).toBe(1);
    });

    it('releases the key when a handler whose client left answers 5xx, so the retry runs', async () => {
      const { url, calls, gates, outcomes } = await open();
      const controller = new AbortController();
      const gone = send(url, 'POST', '/gated', { headers: key('k-gone-5xx'), body: '{}', signal: controller.signal });
      const gate = await gates.next();
      controller.abort();
      await expect(gone).rejects.toThrow();
      gate.release(503);
      expect(await outcomes.next()).toMatchObject({ outcome: 'released', reason: 'not-final' });
      const retry = send(url, 'POST', '/gated', { headers: key('k-gone-5xx'), body: '{}' });
      (await gates.next()).release(201);
      expect(await retry).toMatchObject({ status: 201, json: { gated: 2 } });
      expect(calls['gated']).toBe(2);
    });
  });
}
