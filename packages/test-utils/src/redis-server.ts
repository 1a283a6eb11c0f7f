import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import { killOnExit } from './exit-cleanup.ts';
import { freePort } from './free-port.ts';

// Captured at import, so a test that fakes timers cannot stall the fixture's own bounded waits.
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const realNow = Date.now;

const HOST = '127.0.0.1';
const OUTPUT_LIMIT = 16 * 1024;
const BIND_ATTEMPTS = 5;

export interface RedisServerOptions {
  /**
   * Extra `redis-server` arguments, appended after the fixture's own
   * (`--port <free> --bind 127.0.0.1 --save "" --appendonly no`), e.g.
   * `['--cluster-enabled', 'yes']` or `['--maxmemory', '1mb']`. A function gets the chosen port
   * (e.g. for `--cluster-config-file nodes-<port>.conf`) and is called again only when the
   * port was taken before the server could bind it; its result is reused by `restart()`.
   */
  readonly args?: readonly string[] | ((port: number) => readonly string[] | Promise<readonly string[]>);
  /** Upper bound for the server to answer PING after a start or restart, in ms. @default 10_000 */
  readonly readyTimeoutMs?: number;
  /** How long `stop()` and `restart()` wait after SIGTERM before sending SIGKILL, in ms. @default 5_000 */
  readonly stopTimeoutMs?: number;
  /** The executable. @default process.env.BW_REDIS_SERVER ?? 'redis-server' */
  readonly binary?: string;
  /** Working directory of the server process. @default os.tmpdir() */
  readonly cwd?: string;
}

/**
 * A `redis-server` process owned by one test (or one file), on a free loopback port.
 * Created by {@link startRedis}.
 */
export interface RedisServer {
  readonly host: string;
  /** Stays the same across `restart()`. */
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Pid of the current process; `undefined` once it exited (after `kill()` or `stop()`). */
  readonly pid: number | undefined;
  /** The process is alive (it may be paused). */
  readonly running: boolean;
  /** Stopped with SIGSTOP by `pause()` and not yet resumed. */
  readonly paused: boolean;
  /** The last 16 KiB the process wrote to stdout and stderr (Redis logs to stdout). */
  readonly output: string;
  /**
   * An ioredis client connected to this server, resolved once it is `ready` (unless
   * `lazyConnect: true` is passed, which returns it unconnected). Test defaults, each
   * overridable through `options`:
   * - `enableOfflineQueue: false`: a command sent while disconnected fails at once instead of
   *   waiting for a reconnect, so outage tests never hang (this is why the client is awaited);
   * - `maxRetriesPerRequest: 1`, `connectTimeout: 2_000`;
   * - `retryStrategy`: reconnect after 10, 20, … up to 100 ms, forever (a restarted server is
   *   picked up quickly);
   * - an `error` listener that swallows connection errors, so ioredis does not log
   *   "Unhandled error event" after `kill()`; commands still reject.
   * Every client made here is disconnected by `stop()`.
   */
  client(options?: RedisOptions): Promise<Redis>;
  /** Sends one command on a short-lived connection, e.g. `command('CONFIG', 'GET', 'maxmemory')`. */
  command(name: string, ...args: (string | number)[]): Promise<unknown>;
  /** SIGKILL: the server dies without closing its sockets cleanly. Resolves once it exited. */
  kill(): Promise<void>;
  /** SIGSTOP: connections stay open but nothing is answered, like a hung server. */
  pause(): void;
  /** SIGCONT after `pause()`. */
  resume(): void;
  /** Stops the process if running (SIGTERM) and starts a new one on the same port, resolved when it answers PING. */
  restart(): Promise<void>;
  /** `SCRIPT FLUSH SYNC`: forgets every loaded Lua script, so the next EVALSHA gets NOSCRIPT. */
  flushScripts(): Promise<void>;
  /** `FLUSHALL SYNC`. */
  flushAll(): Promise<void>;
  /**
   * Disconnects the clients made by `client()`, resumes the process if paused, sends SIGTERM
   * (SIGKILL after `stopTimeoutMs`) and resolves once the process exited. Idempotent.
   */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Spawns `redis-server --port <free> --bind 127.0.0.1 --save "" --appendonly no [...args]` and
 * resolves once it answers PING. No fixed port is ever used; when the free port is taken before
 * Redis binds it, another one is tried. The process is killed at process exit if a test never
 * called `stop()`.
 *
 * ```ts
 * const redis = await startRedis();
 * onTestFinished(() => redis.stop());
 * const client = await redis.client();
 * ```
 */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const fixture = new RedisServerFixture(options);
  await fixture.start();
  return fixture;
}

const noop = (): void => {};

class RedisServerFixture implements RedisServer {
  readonly host = HOST;
  readonly #options: {
    readonly args: RedisServerOptions['args'];
    readonly readyTimeoutMs: number;
    readonly stopTimeoutMs: number;
    readonly binary: string;
    readonly cwd: string;
  };
  #port = 0;
  #args: readonly string[] | undefined;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #alive = false;
  #paused = false;
  #output = '';
  #stopping: Promise<void> | undefined;
  readonly #clients = new Set<Redis>();

  constructor(options: RedisServerOptions) {
    this.#options = {
      args: options.args,
      readyTimeoutMs: options.readyTimeoutMs ?? 10_000,
      stopTimeoutMs: options.stopTimeoutMs ?? 5_000,
      binary: options.binary ?? process.env.BW_REDIS_SERVER ?? 'redis-server',
      cwd: options.cwd ?? tmpdir(),
    };
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `redis://${HOST}:${this.#port}`;
  }

  get pid(): number | undefined {
    return this.#alive ? this.#child?.pid : undefined;
  }

  get running(): boolean {
    return this.#alive;
  }

  get paused(): boolean {
    return this.#paused;
  }

  get output(): string {
    return this.#output;
  }

  /** First start: picks a free port, retrying when another process took it first. */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort(HOST);
      const args = typeof this.#options.args === 'function' ? await this.#options.args(port) : (this.#options.args ?? []);
      try {
        await this.#spawnAndWait(port, args);
        this.#port = port;
        this.#args = args;
        return;
      } catch (error) {
        if (!(error instanceof AddressInUseError) || attempt >= BIND_ATTEMPTS) throw error;
      }
    }
  }

  async client(options: RedisOptions = {}): Promise<Redis> {
    this.#assertNotStopped('client');
    const client = new Redis({
      host: HOST,
      port: this.#port,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      retryStrategy: (times: number) => Math.min(times * 10, 100),
      ...options,
    });
    client.on('error', noop);
    this.#clients.add(client);
    client.once('end', () => this.#clients.delete(client));
    if (options.lazyConnect) return client;
    await waitUntilReady(client, this.#options.readyTimeoutMs, `client of ${this.url}`);
    return client;
  }

  async command(name: string, ...args: (string | number)[]): Promise<unknown> {
    const connection = new Redis({
      host: HOST,
      port: this.#port,
      lazyConnect: true,
      enableOfflineQueue: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: 2_000,
      commandTimeout: 5_000,
    });
    connection.on('error', noop);
    try {
      return await connection.call(name, ...args);
    } finally {
      connection.disconnect();
    }
  }

  async kill(): Promise<void> {
    if (this.#alive) this.#child?.kill('SIGKILL');
    await this.#exited;
  }

  pause(): void {
    this.#assertAlive('pause');
    this.#child!.kill('SIGSTOP');
    this.#paused = true;
  }

  resume(): void {
    this.#assertAlive('resume');
    this.#child!.kill('SIGCONT');
    this.#paused = false;
  }

  async restart(): Promise<void> {
    this.#assertNotStopped('restart');
    await this.#terminate();
    await this.#spawnAndWait(this.#port, this.#args ?? []);
  }

  async flushScripts(): Promise<void> {
    await this.command('SCRIPT', 'FLUSH', 'SYNC');
  }

  async flushAll(): Promise<void> {
    await this.command('FLUSHALL', 'SYNC');
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      for (const client of this.#clients) client.disconnect();
      this.#clients.clear();
      await this.#terminate();
    })();
    return this.#stopping;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /** SIGCONT if paused, SIGTERM, SIGKILL after `stopTimeoutMs`; resolves once the process exited. */
  async #terminate(): Promise<void> {
    const child = this.#child;
    if (!this.#alive || child === undefined) return;
    if (this.#paused) this.resume();
    child.kill('SIGTERM');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<true>((resolve) => {
      timer = realSetTimeout(() => resolve(true), this.#options.stopTimeoutMs);
    });
    const forced = await Promise.race([this.#exited.then(() => false), timedOut]);
    realClearTimeout(timer);
    if (forced && this.#alive) child.kill('SIGKILL');
    await this.#exited;
  }

  async #spawnAndWait(port: number, args: readonly string[]): Promise<void> {
    const fullArgs = ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', ...args];
    this.#output = '';
    this.#paused = false;
    const child = spawn(this.#options.binary, fullArgs, { cwd: this.#options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    const record = (chunk: Buffer): void => {
      this.#output = (this.#output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
    };
    child.stdout!.on('data', record);
    child.stderr!.on('data', record);
    // A forgotten fixture must not keep the test process alive; the exit hook kills it.
    child.unref();
    (child.stdout as unknown as { unref?: () => void }).unref?.();
    (child.stderr as unknown as { unref?: () => void }).unref?.();

    const spawned = await new Promise<Error | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', (error) => resolve(error));
    });
    if (spawned !== undefined) {
      const code = (spawned as NodeJS.ErrnoException).code;
      throw new Error(
        code === 'ENOENT'
          ? `startRedis: \`${this.#options.binary}\` was not found on PATH. Install redis-server (scripts/toolchain.sh does it with apt-get) or set BW_REDIS_SERVER.`
          : `startRedis: could not spawn \`${this.#options.binary}\`: ${spawned.message}`,
        { cause: spawned },
      );
    }
    this.#alive = true;
    killOnExit(child);
    let exitInfo: string | undefined;
    this.#exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.#alive = false;
        this.#paused = false;
        exitInfo = signal ? `signal ${signal}` : `code ${code}`;
        resolve();
      });
    });

    const deadline = realNow() + this.#options.readyTimeoutMs;
    let delay = 2;
    for (;;) {
      if (!this.#alive) break;
      if (await pingOnce(port)) return;
      if (!this.#alive) break;
      if (realNow() >= deadline) {
        child.kill('SIGKILL');
        await this.#exited;
        throw new Error(
          `startRedis: redis-server (pid ${child.pid}, port ${port}) did not answer PING within ${this.#options.readyTimeoutMs}ms.\n` +
            `args: ${fullArgs.join(' ')}\noutput:\n${this.#output}`,
        );
      }
      // Polling the server's state with a deadline; never a fixed sleep.
      await new Promise((resolve) => realSetTimeout(resolve, delay));
      delay = Math.min(delay * 2, 25);
    }
    await this.#exited;
    const message =
      `startRedis: redis-server exited (${exitInfo}) before it answered PING on port ${port}.\n` +
      `args: ${fullArgs.join(' ')}\noutput:\n${this.#output}`;
    if (/Address already in use/i.test(this.#output)) throw new AddressInUseError(message);
    throw new Error(message);
  }

  #assertAlive(method: string): void {
    if (!this.#alive) throw new Error(`RedisServer.${method}(): the server on port ${this.#port} is not running`);
  }

  #assertNotStopped(method: string): void {
    if (this.#stopping !== undefined) throw new Error(`RedisServer.${method}(): the server on port ${this.#port} was stopped`);
  }
}

class AddressInUseError extends Error {
  override name = 'AddressInUseError';
}

/** One raw `PING` on a fresh socket: true on `+PONG` (or `-NOAUTH`), false on refusal, `-LOADING`, or no answer in 500 ms. */
function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    let reply = '';
    let settled = false;
    const socket = connect({ port, host: HOST });
    const finish = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      realClearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = realSetTimeout(() => finish(false), 500);
    socket.setNoDelay(true);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      // -NOAUTH: up, but `--requirepass` was passed; -LOADING: not ready yet.
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH'));
    });
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(false));
  });
}

/** Resolves when an ioredis client (or Cluster) emits `ready`; rejects after `timeoutMs` or on `end`. */
export function waitUntilReady(client: Redis | Cluster, timeoutMs: number, what: string): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let lastError: unknown;
    const onError = (error: unknown): void => {
      lastError = error;
    };
    const cleanup = (): void => {
      realClearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
      client.off('error', onError);
    };
    const fail = (reason: string): void => {
      cleanup();
      client.disconnect();
      const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
      reject(new Error(`${what} ${reason} (status ${client.status})${detail}`, { cause: lastError }));
    };
    const onReady = (): void => {
      cleanup();
      resolve();
    };
    const onEnd = (): void => fail('ended before it was ready');
    const timer = realSetTimeout(() => fail(`was not ready within ${timeoutMs}ms`), timeoutMs);
    client.on('ready', onReady);
    client.on('end', onEnd);
    client.on('error', onError);
  });
}
