import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from 'breakwater-test-utils';
import { startFakeBank, type FakeBank } from '../src/fake-bank.ts';
import { createPaymentsService, type PaymentsService } from '../src/service.ts';

interface Running {
  readonly url: string;
  readonly service: PaymentsService;
  close(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function bank(): Promise<FakeBank> {
  const started = await startFakeBank();
  cleanups.push(() => started.close());
  return started;
}

async function payments(bankUrl: string, redisUrl?: string, ratePerSecond = 50): Promise<Running> {
  const service = createPaymentsService({ port: 0, bankUrl, redisUrl, ratePerSecond });
  const server: Server = createServer(service.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const running = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    service,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const resource of service.resources) await resource.close();
    },
  };
  cleanups.push(running.close);
  return running;
}

const pay = (url: string, key: string | undefined, body: object = { amount: 1250, currency: 'EUR' }, client = 'client-a') =>
  fetch(`${url}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': client, ...(key === undefined ? {} : { 'idempotency-key': `"${key}"` }) },
    body: JSON.stringify(body),
  });

describe('payments-express', () => {
  it('charges once per key: a retry is replayed, another body is 422, no key is 400', async () => {
    const fakeBank = await bank();
    const { url } = await payments(fakeBank.url);
    const first = await pay(url, 'order-1');
    expect(first.status).toBe(201);
    const charged = (await first.json()) as { id: string };
    const replay = await pay(url, 'order-1');
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(((await replay.json()) as { id: string }).id).toBe(charged.id);
    expect((await pay(url, 'order-1', { amount: 9999, currency: 'EUR' })).status).toBe(422);
    expect((await pay(url, undefined)).status).toBe(400);
    expect(fakeBank.ledger).toHaveLength(1);
  });

  it('charges exactly once when the bank applies a charge but its answer is lost', async () => {
    const fakeBank = await bank();
    const { url } = await payments(fakeBank.url);
    fakeBank.setFaults({ loseNextResponses: 1 });
    // The first answer is lost; the bank client retries with the same key and gets the charge back.
    const response = await pay(url, 'order-lost');
    expect(response.status).toBe(201);
    expect(fakeBank.received.get('lost-response')).toBeGreaterThanOrEqual(1);
    expect(fakeBank.received.get('replayed')).toBeGreaterThanOrEqual(1);
    expect(fakeBank.ledger).toHaveLength(1);
  });

  it('limits each client and reports itself healthy with metrics', async () => {
    const fakeBank = await bank();
    const { url } = await payments(fakeBank.url, undefined, 3);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await pay(url, `burst-${i}`)).status);
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    expect((await pay(url, 'other-client', undefined, 'client-b')).status).toBe(201);
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('breakwater_rate_limit_decisions_total{limiter="payments-api",decision="denied",source="store"} 2');
    expect(metrics).toContain('breakwater_idempotency_requests_total{idempotency="payments",outcome="executed"} 4');
  });

  describe('two instances sharing Redis', () => {
    let redis: RedisServer;
    afterEach(async () => {
      await redis?.stop();
    });

    it('run each payment once across instances, whichever instance a retry reaches', async () => {
      redis = await startRedis();
      const fakeBank = await bank();
      const a = await payments(fakeBank.url, redis.url);
      const b = await payments(fakeBank.url, redis.url);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => pay(i % 2 === 0 ? a.url : b.url, `shared-${i % 5}`).then((res) => res.status)),
      );
      // Five keys: each ran once; its duplicates got the replay or 409 while it was in flight.
      expect(answers.filter((status) => status !== 201 && status !== 409)).toEqual([]);
      expect(new Set(fakeBank.ledger.map((charge) => charge.reference)).size).toBe(fakeBank.ledger.length);
      expect(fakeBank.ledger).toHaveLength(5);
    });
  });
});
