import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { idempotency, isIdempotencyConflictError } from '@breakwater/idempotency';
import { redisStore } from '@breakwater/idempotency/redis';
import { startRedis, type RedisServer } from 'breakwater-test-utils';
import type { Redis } from 'ioredis';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const worker = fileURLToPath(new URL('./fixtures/worker.ts', import.meta.url));

let redis: RedisServer;
let client: Redis;

beforeAll(async () => {
  redis = await startRedis();
  client = await redis.client();
});
afterAll(async () => {
  await redis.stop();
});

interface Worker {
  readonly child: ChildProcess;
  /** The next JSON line the worker printed; rejects once it ended without one, or after `ms` (a bound, never a wait). */
  next(ms?: number): Promise<Record<string, unknown>>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a worker process; it is killed when the test finishes, whatever happened. */
function startWorker(mode: string, args: object): Worker {
  const child = spawn(process.execPath, ['--conditions=@breakwater/source', worker, mode, JSON.stringify(args)], {
    cwd: packageDir,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const queue: Record<string, unknown>[] = [];
  const waiters: { resolve(message: Record<string, unknown>): void; reject(error: Error): void }[] = [];
  let stderr = '';
  let ended = false;
  child.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const message = JSON.parse(line) as Record<string, unknown>;
    const waiter = waiters.shift();
    if (waiter) waiter.resolve(message);
    else queue.push(message);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close' comes after the last stdout line was read, unlike 'exit'.
    child.once('close', (code, signal) => {
      ended = true;
      for (const waiter of waiters.splice(0)) waiter.reject(new Error(`worker ended (${signal ?? code}) without a message; stderr:\n${stderr}`));
      resolve({ code, signal });
    }),
  );
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const next = (ms = 15_000): Promise<Record<string, unknown>> => {
    if (queue.length > 0) return Promise.resolve(queue.shift()!);
    if (ended) return Promise.reject(new Error(`worker ended without a message; stderr:\n${stderr}`));
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (message: Record<string, unknown>) => {
          clearTimeout(timer);
          resolve(message);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(new Error(`worker sent nothing within ${ms}ms; stderr:\n${stderr}`));
      }, ms);
      waiters.push(waiter);
    });
  };
  return { child, next, exited };
}

describe('two processes sharing Redis', () => {
  it('200 keys × 50 concurrent duplicates (25 per process) → exactly 200 executions; every duplicate gets the replay or a conflict', async () => {
    const prefix = `storm-${Date.now()}:`;
    const workers = [startWorker('storm', { port: redis.port, prefix, keys: 200, dupes: 25 }), startWorker('storm', { port: redis.port, prefix, keys: 200, dupes: 25 })];
    for (const w of workers) expect(await w.next()).toEqual({ ready: true });
    for (const w of workers) w.child.stdin!.end("go\n");
    const summaries = [];
    for (const w of workers) summaries.push((await w.next(25_000)).summary as { executed: number; replayed: number; conflict: number; other: string[]; wrongReplay: number });
    for (const w of workers) expect(await w.exited).toEqual({ code: 0, signal: null });

    const executed = summaries.reduce((n, s) => n + s.executed, 0);
    expect(executed).toBe(200);
    for (const s of summaries) {
      expect(s.other).toEqual([]);
      expect(s.wrongReplay).toBe(0);
      expect(s.executed + s.replayed + s.conflict).toBe(200 * 25);
    }
    // Both kinds of answer happened: the racing first waves conflict, the later waves replay.
    expect(summaries.reduce((n, s) => n + s.conflict, 0)).toBeGreaterThan(0);
    expect(summaries.reduce((n, s) => n + s.replayed, 0)).toBeGreaterThanOrEqual(200 * 12);
    // Counted outside the store: each handler ran exactly once.
    const counts = await Promise.all(Array.from({ length: 200 }, (_, k) => client.get(`${prefix}executions:${k}`)));
    expect(counts.every((c) => c === '1')).toBe(true);
  }, 40_000);

  it('a holder killed mid-request (SIGKILL) frees the key after its lease; the next caller resumes after the saved step', async () => {
    const prefix = `killed-${Date.now()}:`;
    const leaseMs = 1_000;
    const holder = startWorker('hold', { port: redis.port, prefix, key: 'order-7', leaseMs });
    expect(await holder.next()).toEqual({ holding: true });
    holder.child.kill('SIGKILL');
    expect(await holder.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const killedAt = performance.now();

    const idem = idempotency({ store: redisStore(client, { prefix, commandTimeoutMs: 600 }), leaseMs });
    onTestFinished(() => idem.close());
    // The dead holder's lease has at least two thirds of its term left (it renewed every third).
    let calls = 0;
    const early = await idem.run('order-7', 'fp', async () => ++calls).catch((e: unknown) => e);
    expect(isIdempotencyConflictError(early)).toBe(true);
    expect((early as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    expect((early as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(leaseMs);

    // A caller that waits (the library's own bounded polling) takes over once Redis expires the lease.
    const charges: string[] = [];
    const result = await idem.run(
      'order-7',
      'fp',
      async (context) => {
        calls++;
        const charge = await context.step('charge', () => {
          charges.push('charged again');
          return { chargeId: 'new' };
        });
        return { charge, status: 'shipped' };
      },
      { waitMs: 10_000 },
    );
    const took = performance.now() - killedAt;
    expect(calls).toBe(1);
    expect(charges).toEqual([]);
    expect(result.replayed).toBe(false);
    expect(result.value).toEqual({ charge: { chargeId: `ch_${holder.child.pid}` }, status: 'shipped' });
    // Not before the lease ran out (at least 2/3 of it was left), and not much after.
    expect(took).toBeGreaterThan(leaseMs / 2);
    expect(took).toBeLessThan(leaseMs + 2_000);
  });
});
