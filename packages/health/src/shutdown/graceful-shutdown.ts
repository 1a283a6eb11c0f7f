import { abortableDelay, EventEmitter, type Event } from '@breakwater/core';
import type { ShutdownEvent, ShutdownPhase } from '../events.ts';
import { ServerDrain } from './drain.ts';
import { resolveShutdownOptions, type GracefulShutdownOptions, type ResolvedShutdownOptions } from './shutdown-options.ts';

/** How a shutdown ended; `exit` was called with `exitCode`. */
export interface ShutdownResult {
  /** 0 when everything closed in time; 1 when the deadline passed or a resource's `close()` failed. */
  readonly exitCode: 0 | 1;
  readonly deadlineHit: boolean;
  /** In-flight requests were cut off at the drain timeout (this alone still exits 0). */
  readonly drainForced: boolean;
  /** Names of resources whose `close()` threw or rejected. */
  readonly failedResources: readonly string[];
}

/** `idle` until a signal or `shutdown()`, then `running`, then `done` once `exit` was called. */
export type ShutdownState = 'idle' | 'running' | 'done';

/** A graceful shutdown armed on signals; see {@link gracefulShutdown}. */
export class GracefulShutdown {
  readonly #config: ResolvedShutdownOptions;
  readonly #drains: ServerDrain[];
  readonly #listeners = new Map<string, () => void>();
  readonly #onShutdown = new EventEmitter<ShutdownEvent>();
  #running: Promise<ShutdownResult> | undefined;
  #state: ShutdownState = 'idle';

  /** Fires at every phase: `{ phase, elapsedMs, reason?, resource?, error?, exitCode? }`. */
  readonly onShutdown: Event<ShutdownEvent> = this.#onShutdown.event;

  constructor(options?: GracefulShutdownOptions) {
    this.#config = resolveShutdownOptions(options);
    this.#drains = this.#config.servers.map((server) => new ServerDrain(server));
    for (const signal of this.#config.signals) {
      // Kept while the shutdown runs: a second SIGINT (a terminal and a process manager both
      // forwarding Ctrl-C) would otherwise hit Node's default handler and kill the process.
      const listener = (): void => void this.shutdown(signal);
      this.#listeners.set(signal, listener);
      process.on(signal, listener);
    }
  }

  get state(): ShutdownState {
    return this.#state;
  }

  /** Starts the shutdown (once; later calls return the same promise). Resolves after `exit` was called. */
  shutdown(reason = 'shutdown()'): Promise<ShutdownResult> {
    this.#running ??= this.#run(reason);
    return this.#running;
  }

  /** Removes the signal listeners and the servers' request listeners. Does not stop a shutdown already running. */
  close(): void {
    for (const [signal, listener] of this.#listeners) process.off(signal, listener);
    this.#listeners.clear();
    for (const drain of this.#drains) drain.dispose();
  }

  #run(reason: string): Promise<ShutdownResult> {
    const { clock, health, readinessDelayMs, drainTimeoutMs, deadlineMs, resources, exit } = this.#config;
    const started = clock.now();
    const emit = (phase: ShutdownPhase, extra: Omit<ShutdownEvent, 'phase' | 'elapsedMs'> = {}): void => {
      if (this.#onShutdown.hasListeners) this.#onShutdown.emit({ phase, elapsedMs: clock.now() - started, ...extra });
    };
    this.#state = 'running';
    return new Promise<ShutdownResult>((resolve) => {
      let finished = false;
      let drainForced = false;
      const failedResources: string[] = [];
      const finish = (exitCode: 0 | 1, deadlineHit: boolean): void => {
        if (finished) return;
        finished = true;
        clock.clearTimeout(deadline);
        this.#state = 'done';
        emit('exit', { exitCode });
        resolve({ exitCode, deadlineHit, drainForced, failedResources: [...failedResources] });
        exit(exitCode);
      };
      const deadline = clock.setTimeout(() => {
        if (finished) return;
        emit('deadline');
        for (const drain of this.#drains) drain.forceClose();
        finish(1, true);
      }, deadlineMs);

      health?.markShuttingDown();
      emit('started', { reason });

      const steps = async (): Promise<void> => {
        await abortableDelay(readinessDelayMs, undefined, clock);
        if (finished) return;
        emit('draining');
        const onForced = (): void => {
          if (drainForced) return;
          drainForced = true;
          emit('drain-timeout');
        };
        await Promise.all(this.#drains.map((drain) => drain.drain(drainTimeoutMs, clock, onForced)));
        if (finished) return;
        emit('drained');
        // Reverse registration order: what was created last (a cache) may still need what was created first (its Redis client).
        for (const resource of [...resources].reverse()) {
          try {
            await resource.close();
            if (finished) return;
            emit('resource-closed', { resource: resource.name });
          } catch (error) {
            if (finished) return;
            failedResources.push(resource.name);
            emit('resource-failed', { resource: resource.name, error });
          }
        }
        finish(failedResources.length === 0 ? 0 : 1, false);
      };
      steps().catch((error: unknown) => {
        // Only a bug of ours lands here; exit rather than hang until the deadline.
        process.nextTick(() => {
          throw error;
        });
        finish(1, false);
      });
    });
  }
}

/**
 * Graceful shutdown on SIGTERM/SIGINT, as Kubernetes expects it:
 *
 * 1. readiness fails at once (`health.markShuttingDown()`), liveness stays up;
 * 2. the servers keep serving for `readinessDelayMs`, so load balancers move traffic away;
 * 3. they stop accepting; idle keep-alive sockets close, in-flight requests finish (answered
 *    with `Connection: close`), and whatever is left at `drainTimeoutMs` is cut off;
 * 4. `resources` close one at a time, last registered first;
 * 5. `exit(0)`; `exit(1)` when a resource failed to close or `deadlineMs` passed first.
 *
 * `close()` removes the signal listeners (call it in tests, or to disarm).
 *
 * @example
 * const server = app.listen(3000, () => health.markStarted());
 * gracefulShutdown({
 *   servers: [server],
 *   health,
 *   resources: [{ name: 'redis', close: () => redis.quit() }, { name: 'cache', close: () => cache.close() }],
 * });
 */
export function gracefulShutdown(options?: GracefulShutdownOptions): GracefulShutdown {
  return new GracefulShutdown(options);
}
