import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { startRedis, useFakeTime } from 'breakwater-test-utils';
import { expectGone, isAlive } from './process-state.ts';

const redisServerModule = fileURLToPath(new URL('../src/redis-server.ts', import.meta.url));

/** Like events.once() but ignores `error` (ioredis emits one per failed reconnect attempt). */
function nextEvent(emitter: { once(event: string, listener: () => void): unknown }, event: string): Promise<void> {
  return new Promise((resolve) => emitter.once(event, () => resolve()));
}

async function started(options?: Parameters<typeof startRedis>[0]) {
  const redis = await startRedis(options);
  onTestFinished(() => redis.stop());
  return redis;
}

describe('startRedis()', () => {
  it('starts on a free loopback port, answers PING, and stop() ends the process', async () => {
    const redis = await startRedis();
    const pid = redis.pid!;
    expect(redis.host).toBe('127.0.0.1');
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(redis.port).not.toBe(6379);
    expect(isAlive(pid)).toBe(true);
    const client = await redis.client();
    await expect(client.ping()).resolves.toBe('PONG');
    expect(await client.config('GET', 'save')).toEqual(['save', '']);
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
    expect(await client.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);

    await redis.stop();
    expect(redis.running).toBe(false);
    expect(redis.pid).toBeUndefined();
    expect(isAlive(pid)).toBe(false);
    expect(client.status).toBe('end');
    await expect(redis.stop()).resolves.toBeUndefined(); // idempotent
    await expect(redis.client()).rejects.toThrow(/was stopped/);
  });

  it('gives concurrent servers distinct ports', async () => {
    const [a, b] = await Promise.all([started(), started()]);
    expect(a.port).not.toBe(b.port);
    const [ca, cb] = await Promise.all([a.client(), b.client()]);
    await ca.set('who', 'a');
    expect(await cb.get('who')).toBeNull();
  });

  it('passes extra arguments through to redis-server', async () => {
    const redis = await started({ args: ['--maxmemory', '1mb', '--maxmemory-policy', 'noeviction'] });
    expect(await redis.command('CONFIG', 'GET', 'maxmemory')).toEqual(['maxmemory', '1048576']);
    expect(await redis.command('CONFIG', 'GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
  });

  it('kill() drops the connection; restart() serves again on the same port', async () => {
    const redis = await started();
    const client = await redis.client();
    await client.set('key', 'value');
    const { port } = redis;
    const oldPid = redis.pid!;

    const closed = nextEvent(client, 'close');
    await redis.kill();
    expect(redis.running).toBe(false);
    expect(isAlive(oldPid)).toBe(false);
    await closed;
    await expect(client.ping()).rejects.toThrow();

    const reconnected = nextEvent(client, 'ready');
    await redis.restart();
    expect(redis.port).toBe(port);
    expect(redis.pid).not.toBe(oldPid);
    await reconnected;
    await expect(client.ping()).resolves.toBe('PONG');
    expect(await client.get('key')).toBeNull(); // nothing persisted
    const fresh = await redis.client();
    await expect(fresh.ping()).resolves.toBe('PONG');
  });

  it('restart() of a running server replaces the process on the same port', async () => {
    const redis = await started();
    const { port } = redis;
    const oldPid = redis.pid!;
    await redis.restart();
    expect(isAlive(oldPid)).toBe(false);
    expect(redis.port).toBe(port);
    await expect(redis.command('PING')).resolves.toBe('PONG');
  });

  it('pause() makes commands time out; resume() makes them work again', async () => {
    const redis = await started();
    const client = await redis.client({ commandTimeout: 50 });
    redis.pause();
    expect(redis.paused).toBe(true);
    expect(redis.running).toBe(true);
    await expect(client.ping()).rejects.toThrow(/timed out/i);
    redis.resume();
    expect(redis.paused).toBe(false);
    await expect(client.ping()).resolves.toBe('PONG');
  });

  it('stop() ends a paused server', async () => {
    const redis = await startRedis();
    const pid = redis.pid!;
    await redis.client();
    redis.pause();
    await redis.stop();
    expect(isAlive(pid)).toBe(false);
    expect(redis.paused).toBe(false);
  });

  it('flushScripts() forgets loaded scripts, so EVALSHA gets NOSCRIPT', async () => {
    const redis = await started();
    const client = await redis.client();
    const sha = (await client.script('LOAD', 'return 42')) as string;
    expect(await client.script('EXISTS', sha)).toEqual([1]);
    await expect(client.evalsha(sha, 0)).resolves.toBe(42);
    await redis.flushScripts();
    expect(await client.script('EXISTS', sha)).toEqual([0]);
    await expect(client.evalsha(sha, 0)).rejects.toThrow(/NOSCRIPT/);
  });

  it('flushAll() empties every database', async () => {
    const redis = await started();
    const client = await redis.client();
    await client.mset('a', '1', 'b', '2');
    await redis.flushAll();
    expect(await client.dbsize()).toBe(0);
  });

  it('offline commands fail fast instead of queueing (enableOfflineQueue: false)', async () => {
    const redis = await started();
    const client = await redis.client();
    const closed = nextEvent(client, 'close');
    await redis.kill();
    await closed;
    const startedAt = Date.now();
    await expect(client.get('x')).rejects.toThrow(/enableOfflineQueue|Stream isn't writeable|Connection is closed/);
    expect(Date.now() - startedAt).toBeLessThan(1_000); // an upper bound proving no wait
  });

  it('reports a server that fails to start with its output', async () => {
    await expect(startRedis({ args: ['--no-such-directive', 'x'] })).rejects.toThrow(/exited \(code 1\)[\s\S]*no-such-directive[\s\S]*Bad directive/);
  });

  it('reports a missing binary clearly', async () => {
    await expect(startRedis({ binary: '/nonexistent/redis-server' })).rejects.toThrow(/was not found on PATH/);
  });

  it('starts, serves and stops while the test fakes time (its own bounded waits use real timers)', async () => {
    useFakeTime();
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const redis = await startRedis();
    const pid = redis.pid!;
    const client = await redis.client();
    await expect(client.ping()).resolves.toBe('PONG');
    await redis.flushScripts();
    await redis.stop();
    expect(isAlive(pid)).toBe(false);
  });

  it('supports await using', async () => {
    let pid: number;
    {
      await using redis = await startRedis();
      pid = redis.pid!;
    }
    expect(isAlive(pid)).toBe(false);
  });

  describe('leaves no process behind when a test never calls stop()', () => {
    async function runChild(body: string): Promise<{ pid: number; code: number | null }> {
      const script = `import { startRedis } from ${JSON.stringify(redisServerModule)};\n${body}`;
      return new Promise((resolve, reject) => {
        execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('..', import.meta.url)), timeout: 15_000 }, (error, stdout, stderr) => {
          const pid = Number(/pid=(\d+)/.exec(stdout)?.[1]);
          if (!pid) reject(new Error(`no pid printed\nstdout: ${stdout}\nstderr: ${stderr}\n${error?.message ?? ''}`));
          else resolve({ pid, code: error ? ((error as { code?: number }).code ?? null) : 0 });
        });
      });
    }

    it('on a thrown error, with a client still connected', async () => {
      const { pid, code } = await runChild(`
        const redis = await startRedis();
        const client = await redis.client();
        await client.ping();
        console.log('pid=' + redis.pid);
        throw new Error('test failed before stop()');
      `);
      expect(code).toBe(1);
      await expectGone(pid);
    });

    it('when the process runs out of work (a forgotten fixture does not keep it alive)', async () => {
      const startedAt = Date.now();
      const { pid, code } = await runChild(`
        const redis = await startRedis();
        redis.pause();
        console.log('pid=' + redis.pid);
      `);
      expect(code).toBe(0);
      expect(Date.now() - startedAt).toBeLessThan(10_000); // an upper bound proving no hang
      await expectGone(pid);
    });
  });
});
