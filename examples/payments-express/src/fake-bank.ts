import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the bank does wrong right now; the demo changes it on a schedule. */
export interface BankFaults {
  /** Share of charges answered 503 before anything is charged. @default 0 */
  readonly errorRate?: number;
  /** Share of charges applied whose response is then lost (the socket is destroyed). @default 0 */
  readonly lostResponseRate?: number;
  /** The next this-many charges are applied and their responses lost, whatever the rate. @default 0 */
  readonly loseNextResponses?: number;
  /** Added to every answer, in ms. @default 0 */
  readonly latencyMs?: number;
  /** Every request is answered 503 with `Retry-After: 1`. @default false */
  readonly down?: boolean;
}

export interface Charge {
  readonly id: string;
  /** The caller's `Idempotency-Key`: the bank charges once per key. */
  readonly key: string;
  /** The merchant's reference (the payment it settles): must be charged at most once. */
  readonly reference: string;
  readonly amount: number;
  readonly currency: string;
}

export interface FakeBank {
  readonly url: string;
  /** Every charge applied, in order. */
  readonly ledger: readonly Charge[];
  /** Requests received, by what the bank did: `charged`, `replayed`, `rejected-503`, `lost-response`, `bad-request`, `conflict`. */
  readonly received: ReadonlyMap<string, number>;
  setFaults(faults: BankFaults): void;
  close(): Promise<void>;
}

/**
 * A payment provider on 127.0.0.1 that behaves like the real ones (Stripe's rules): `POST /charges`
 * needs an `Idempotency-Key`, a repeated key gets the first answer back instead of a second
 * charge, and the bank misbehaves on demand — 503s, latency, outages, and the nasty one: the charge
 * is applied but the response never arrives, so only a retry with the same key is safe.
 * `GET /ledger` lists what was charged, for reconciliation.
 */
export async function startFakeBank(options: { random?: () => number; port?: number } = {}): Promise<FakeBank> {
  const random = options.random ?? Math.random;
  let faults: Required<Omit<BankFaults, 'loseNextResponses'>> = { errorRate: 0, lostResponseRate: 0, latencyMs: 0, down: false };
  let toLose = 0;
  const ledger: Charge[] = [];
  const byKey = new Map<string, { status: number; body: string } | 'in-flight'>();
  const received = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const count = (what: string): void => void received.set(what, (received.get(what) ?? 0) + 1);

  const later = (ms: number, fn: () => void): void => {
    if (ms <= 0) return fn();
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void => {
    if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
  };

  const charge = (req: IncomingMessage, res: ServerResponse, raw: string): void => {
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || key.length === 0) {
      count('bad-request');
      return send(res, 400, JSON.stringify({ error: 'Idempotency-Key required' }));
    }
    const previous = byKey.get(key);
    if (previous === 'in-flight') {
      count('conflict');
      return send(res, 409, JSON.stringify({ error: 'a request with this key is in progress' }), { 'retry-after': '1' });
    }
    if (previous !== undefined) {
      count('replayed');
      return later(faults.latencyMs, () => send(res, previous.status, previous.body, { 'idempotent-replayed': 'true' }));
    }
    if (faults.down || random() < faults.errorRate) {
      count('rejected-503');
      return later(faults.latencyMs, () => send(res, 503, JSON.stringify({ error: 'try again' }), { 'retry-after': '1' }));
    }
    let parsed: { amount?: unknown; currency?: unknown; reference?: unknown };
    try {
      parsed = JSON.parse(raw) as typeof parsed;
    } catch {
      count('bad-request');
      return send(res, 400, JSON.stringify({ error: 'invalid JSON' }));
    }
    const { amount, currency, reference } = parsed;
    if (typeof amount !== 'number' || typeof currency !== 'string' || typeof reference !== 'string') {
      count('bad-request');
      return send(res, 400, JSON.stringify({ error: 'amount, currency and reference required' }));
    }
    byKey.set(key, 'in-flight');
    const lose = toLose > 0 ? (toLose--, true) : random() < faults.lostResponseRate;
    later(faults.latencyMs, () => {
      const applied: Charge = { id: `ch_${randomUUID()}`, key, reference, amount, currency };
      ledger.push(applied);
      const body = JSON.stringify({ id: applied.id, amount, currency, reference, status: 'succeeded' });
      byKey.set(key, { status: 201, body });
      if (lose) {
        count('lost-response');
        res.socket?.destroy();
        return;
      }
      count('charged');
      send(res, 201, body);
    });
  };

  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/ledger') return send(res, 200, JSON.stringify({ charges: ledger }));
    if (req.method !== 'POST' || req.url !== '/charges') return send(res, 404, JSON.stringify({ error: 'not found' }));
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => charge(req, res, Buffer.concat(chunks).toString('utf8')));
    return undefined;
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    ledger,
    received,
    setFaults: ({ loseNextResponses = 0, ...next }) => {
      faults = { errorRate: 0, lostResponseRate: 0, latencyMs: 0, down: false, ...next };
      toLose = loseNextResponses;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
