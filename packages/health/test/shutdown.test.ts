import { Agent } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { gracefulShutdown, type GracefulShutdown, type ShutdownEvent } from '@breakwater/health';
import { manualClock, manualHealth } from './helpers.ts';
import { connections, get, keepAliveServer } from './shutdown-helpers.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A shutdown on a manual clock whose exit is recorded, torn down after the test. */
function armed(options: Parameters<typeof gracefulShutdown>[0], time = manualClock()) {
  const exits: number[] = [];
  const events: ShutdownEvent[] = [];
  const shutdown: GracefulShutdown = gracefulShutdown({ exit: (code) => void exits.push(code), clock: time.clock, ...options });
  shutdown.onShutdown((event) => events.push(event));
  cleanups.push(() => shutdown.close());
  return { shutdown, exits, events, time, phases: () => events.map((event) => event.phase + (event.resource ? `:${event.resource}` : '')) };
}

function resource(name: string, closed: string[], close: () => unknown = () => undefined) {
  return {
    name,
    close: async () => {
      await close();
      closed.push(name);
    },
  };
}

describe('gracefulShutdown()', () => {
  it('on SIGTERM fails readiness at once, keeps serving for the delay, drains, closes resources last-first, and exits 0', async () => {
    const http = await keepAliveServer();
    cleanups.push(() => http.close());
    const { health } = manualHealth();
    const closed: string[] = [];
    const time = manualClock();
    const { shutdown, exits, events, phases } = armed(
      {
        servers: [http.server],
        health,
        readinessDelayMs: 1_000,
        drainTimeoutMs: 5_000,
        deadlineMs: 10_000,
        signals: ['SIGTERM'],
        resources: [resource('redis', closed), resource('cache', closed), resource('outbox', closed)],
      },
      time,
    );

    // One idle keep-alive socket, one request in flight on another.
    const idleAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    const busyAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(() => idleAgent.destroy(), () => busyAgent.destroy());
    expect((await get(`${http.url}/`, idleAgent)).status).toBe(200);
    const slow = get(`${http.url}/slow`, busyAgent);
    const slowRes = await http.slow.next();
    expect(await connections(http.server)).toBe(2);

    process.emit('SIGTERM' as never);
    expect(shutdown.state).toBe('running');
    expect((await health.ready()).status).toBe('fail');
    expect((await health.live()).status).toBe('pass');
    expect(events[0]).toEqual({ phase: 'started', elapsedMs: 0, reason: 'SIGTERM' });

    // The readiness delay: still accepting, keep-alive included.
    time.advance(999);
    expect((await get(`${http.url}/`)).status).toBe(200);
    expect((await get(`${http.url}/`, idleAgent)).status).toBe(200);
    expect(phases()).toEqual(['started']);

    time.advance(1);
    await expect.poll(() => phases()).toEqual(['started', 'draining']);
    // The idle keep-alive socket is closed, new connections are refused, the slow request runs on.
    await expect.poll(() => connections(http.server)).toBe(1);
    await expect(get(`${http.url}/`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(closed).toEqual([]);

    slowRes.end('finally');
    const reply = await slow;
    expect(reply).toMatchObject({ status: 200, body: 'finally', headers: { connection: 'close' } });
    const result = await shutdown.shutdown();
    expect(result).toEqual({ exitCode: 0, deadlineHit: false, drainForced: false, failedResources: [] });
    expect(exits).toEqual([0]);
    expect(closed).toEqual(['outbox', 'cache', 'redis']);
    expect(phases()).toEqual(['started', 'draining', 'drained', 'resource-closed:outbox', 'resource-closed:cache', 'resource-closed:redis', 'exit']);
    expect(events.at(-1)).toMatchObject({ phase: 'exit', exitCode: 0, elapsedMs: 1_000 });
    expect(http.server.listening).toBe(false);
    expect(time.pending).toBe(0);
  });

  it('cuts off what is still in flight at the drain timeout, then closes resources and exits 0', async () => {
    const http = await keepAliveServer();
    cleanups.push(() => http.close());
    const closed: string[] = [];
    const { shutdown, exits, phases, time } = armed({
      servers: [http.server],
      readinessDelayMs: 0,
      drainTimeoutMs: 2_000,
      deadlineMs: 10_000,
      resources: [resource('db', closed)],
    });
    const stuck = get(`${http.url}/slow`);
    await http.slow.next();
    const done = shutdown.shutdown('test');
    time.advance(0);
    await expect.poll(() => phases()).toEqual(['started', 'draining']);
    time.advance(1_999);
    expect(phases()).toEqual(['started', 'draining']);
    time.advance(1);
    await expect(stuck).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(await done).toEqual({ exitCode: 0, deadlineHit: false, drainForced: true, failedResources: [] });
    expect(phases()).toEqual(['started', 'draining', 'drain-timeout', 'drained', 'resource-closed:db', 'exit']);
    expect(exits).toEqual([0]);
  });

  it('exits 1 at the deadline when a resource never closes, dropping connections and skipping the rest', async () => {
    const closed: string[] = [];
    const { shutdown, exits, phases, time } = armed({
      readinessDelayMs: 100,
      drainTimeoutMs: 100,
      deadlineMs: 1_000,
      resources: [resource('first', closed), resource('hangs', closed, () => new Promise(() => {}))],
    });
    const done = shutdown.shutdown();
    time.advance(100);
    await expect.poll(() => phases()).toContain('drained');
    time.advance(899);
    expect(exits).toEqual([]);
    time.advance(1);
    expect(await done).toEqual({ exitCode: 1, deadlineHit: true, drainForced: false, failedResources: [] });
    expect(exits).toEqual([1]);
    expect(closed).toEqual([]);
    expect(phases()).toEqual(['started', 'draining', 'drained', 'deadline', 'exit']);
    expect(time.pending).toBe(0);
  });

  it('goes on past a resource whose close() fails, and exits 1 naming it', async () => {
    const closed: string[] = [];
    const { shutdown, exits, events, time } = armed({
      readinessDelayMs: 0,
      drainTimeoutMs: 100,
      deadlineMs: 1_000,
      resources: [
        resource('redis', closed),
        {
          name: 'cache',
          close: () => {
            throw new Error('flush failed');
          },
        },
      ],
    });
    const done = shutdown.shutdown();
    time.advance(0);
    expect(await done).toEqual({ exitCode: 1, deadlineHit: false, drainForced: false, failedResources: ['cache'] });
    expect(closed).toEqual(['redis']);
    expect(exits).toEqual([1]);
    expect(events.find((event) => event.phase === 'resource-failed')).toMatchObject({ resource: 'cache', error: new Error('flush failed') });
  });

  it('runs once: repeated signals and calls share the first shutdown', async () => {
    const { shutdown, exits, time } = armed({ readinessDelayMs: 10, drainTimeoutMs: 10, deadlineMs: 100, signals: ['SIGTERM', 'SIGINT'] });
    process.emit('SIGINT' as never);
    process.emit('SIGTERM' as never);
    const first = shutdown.shutdown('again');
    expect(shutdown.shutdown()).toBe(first);
    time.advance(10);
    expect((await first).exitCode).toBe(0);
    process.emit('SIGTERM' as never);
    await Promise.resolve();
    expect(exits).toEqual([0]);
    expect(shutdown.state).toBe('done');
  });

  it('close() removes every signal listener and request listener it added', async () => {
    const http = await keepAliveServer();
    cleanups.push(() => http.close());
    const before = { term: process.listenerCount('SIGTERM'), int: process.listenerCount('SIGINT'), hup: process.listenerCount('SIGHUP'), request: http.server.listenerCount('request') };
    const { shutdown } = armed({ servers: [http.server], signals: ['SIGTERM', 'SIGINT', 'SIGHUP'] });
    expect(process.listenerCount('SIGTERM')).toBe(before.term + 1);
    expect(process.listenerCount('SIGHUP')).toBe(before.hup + 1);
    expect(http.server.listenerCount('request')).toBe(before.request + 1);
    shutdown.close();
    expect({ term: process.listenerCount('SIGTERM'), int: process.listenerCount('SIGINT'), hup: process.listenerCount('SIGHUP'), request: http.server.listenerCount('request') }).toEqual(before);
    expect(shutdown.state).toBe('idle');
  });
});
