import { randomUUID } from 'node:crypto';
import { assertBoolean, assertString, EventEmitter, type Disposable, type Event } from '@breakwater/core';
import type { Cluster, Redis } from 'ioredis';
import type { InvalidationBus, InvalidationMessage } from '../types.ts';
import type { L2BreakerState } from './breaker.ts';
import { isCluster, quitBounded, type RedisClient } from './client.ts';
import { decodeBusMessage, encodeBusMessage } from './bus-message.ts';
import { L2UnavailableError } from './errors/l2-unavailable-error.ts';
import type { BreakerCloseEvent, BreakerOpenEvent, RedisErrorEvent, ResubscribeEvent } from './events.ts';
import { keyLayout } from './keys.ts';
import { assertClient, CONNECTION_DEFAULTS, CONNECTION_OPTION_NAMES, resolveOptions, type RedisConnectionOptions } from './options.ts';
import { RedisGuard } from './redis-guard.ts';

export interface RedisInvalidationBusOptions extends RedisConnectionOptions {
  /**
   * Identifies this instance on the channel; its own messages come back from Redis and are
   * dropped by this id. Up to 256 characters. @default crypto.randomUUID()
   */
  readonly instanceId?: string;
  /**
   * After the subscriber connection drops and comes back, tell the listeners to drop every L1
   * entry (`{ kind: 'all' }`): pub/sub does not replay what was published while we were away, so
   * any L1 entry may have been invalidated meanwhile. With `false`, L1 TTLs bound how long a
   * missed invalidation is served. @default true
   */
  readonly clearOnReconnect?: boolean;
}

const DEFAULTS = { ...CONNECTION_DEFAULTS, instanceId: '', clearOnReconnect: true } as const;
const KNOWN = [...CONNECTION_OPTION_NAMES, 'instanceId', 'clearOnReconnect'];

/** A Redis pub/sub {@link InvalidationBus}, with its breaker state and events. */
export interface RedisInvalidationBus extends InvalidationBus {
  readonly instanceId: string;
  /** The channel: `<prefix>bus`. */
  readonly channel: string;
  readonly breakerState: L2BreakerState;
  /** Resolves once the subscriber has subscribed the first time; rejects if the bus is closed first. */
  ready(): Promise<void>;
  readonly onError: Event<RedisErrorEvent>;
  readonly onBreakerOpen: Event<BreakerOpenEvent>;
  readonly onBreakerClose: Event<BreakerCloseEvent>;
  /** The subscriber came back after a connection drop and is listening again. */
  readonly onResubscribe: Event<ResubscribeEvent>;
}

/**
 * Cross-instance L1 invalidation over Redis pub/sub on `<prefix>bus`. Publishing uses your
 * client (bounded and behind the breaker); listening uses `client.duplicate()`, a connection the
 * bus owns and closes. On a Cluster it uses plain PUBLISH/SUBSCRIBE (the cluster bus forwards each
 * message to every node), not sharded pub/sub: one channel would hash to one shard anyway.
 */
export function redisInvalidationBus(client: RedisClient, options?: RedisInvalidationBusOptions): RedisInvalidationBus {
  assertClient('redisInvalidationBus()', client);
  const config = resolveOptions('redisInvalidationBus()', KNOWN, DEFAULTS, options);
  const instanceId = config.instanceId === '' ? randomUUID() : config.instanceId;
  assertString('instanceId', instanceId, { min: 1, max: 256 });
  assertBoolean('clearOnReconnect', config.clearOnReconnect);
  return new RedisInvalidationBusImpl(client, { ...config, instanceId });
}

class RedisInvalidationBusImpl implements RedisInvalidationBus {
  readonly instanceId: string;
  readonly channel: string;
  readonly #client: RedisClient;
  readonly #subscriber: RedisClient;
  readonly #guard: RedisGuard;
  readonly #config: Required<RedisInvalidationBusOptions>;
  readonly #messages = new EventEmitter<InvalidationMessage>();
  readonly #resubscribes = new EventEmitter<ResubscribeEvent>();
  readonly #ready: Promise<void>;
  #resolveReady!: () => void;
  #rejectReady!: (error: unknown) => void;
  #subscribed = false;
  #closing: Promise<void> | undefined;

  readonly onError: Event<RedisErrorEvent>;
  readonly onBreakerOpen: Event<BreakerOpenEvent>;
  readonly onBreakerClose: Event<BreakerCloseEvent>;
  readonly onResubscribe: Event<ResubscribeEvent> = this.#resubscribes.event;

  constructor(client: RedisClient, config: Required<RedisInvalidationBusOptions>) {
    this.#client = client;
    this.#config = config;
    this.instanceId = config.instanceId;
    this.channel = keyLayout(config.prefix).channel;
    this.#guard = new RedisGuard(client, config);
    this.onError = this.#guard.onError;
    this.onBreakerOpen = this.#guard.onBreakerOpen;
    this.onBreakerClose = this.#guard.onBreakerClose;
    this.#ready = new Promise<void>((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    // Nobody may ever call ready(); its rejection on close must not surface as unhandled.
    this.#ready.catch(() => {});

    this.#subscriber = duplicateForSubscribing(client);
    this.#subscriber.on('error', this.#onConnectionError);
    this.#subscriber.on('message', this.#onMessage);
    this.#subscriber.on('ready', this.#onReady);
    // ioredis resubscribes by itself after a reconnect; `ready` tells us when to notice it.
    if (this.#subscriber.status === 'ready') this.#onReady();
  }

  get breakerState(): L2BreakerState {
    return this.#guard.breakerState;
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  publish(message: InvalidationMessage): Promise<void> {
    if (message.kind === 'all') {
      // Receivers refuse it: one instance must not be able to empty every L1.
      return Promise.reject(new TypeError('An `all` invalidation is raised by a bus for its own listeners and cannot be published'));
    }
    const payload = encodeBusMessage(this.instanceId, message);
    return this.#guard.run('publish', async () => void (await this.#client.publish(this.channel, payload)));
  }

  subscribe(listener: (message: InvalidationMessage) => void): Disposable {
    return this.#messages.event(listener);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#guard.close();
      this.#rejectReady(new L2UnavailableError({ operation: 'subscribe', reason: 'closed' }));
      this.#subscriber.off('ready', this.#onReady);
      this.#subscriber.off('message', this.#onMessage);
      // The error listener stays: without one, ioredis would log a late socket error as unhandled.
      await quitBounded(this.#subscriber, this.#config.commandTimeoutMs, this.#config.clock);
    })();
    return this.#closing;
  }

  readonly #onReady = (): void => {
    const again = this.#subscribed;
    // On a reconnect ioredis has already queued its own SUBSCRIBE; ours is answered after it, so
    // its reply means we are listening again. SUBSCRIBE to a subscribed channel is harmless.
    this.#subscriber.subscribe(this.channel).then(
      () => {
        if (this.#closing !== undefined) return;
        this.#subscribed = true;
        if (!again) {
          this.#resolveReady();
          return;
        }
        const cleared = this.#config.clearOnReconnect;
        if (cleared) this.#messages.emit({ kind: 'all' });
        this.#resubscribes.emit({ cleared });
      },
      (error: unknown) => {
        // The next `ready` (after ioredis reconnects) tries again.
        if (this.#closing === undefined) this.#guard.report({ operation: 'subscribe', reason: 'command-failed', error });
      },
    );
  };

  readonly #onMessage = (channel: string, payload: string): void => {
    if (channel !== this.channel) return;
    const decoded = decodeBusMessage(payload);
    if (decoded === undefined) {
      this.#guard.report({ operation: 'message', reason: 'invalid-message', error: new Error('Unreadable invalidation message ignored') });
      return;
    }
    if (decoded.from === this.instanceId) return;
    this.#messages.emit(decoded.message);
  };

  readonly #onConnectionError = (error: unknown): void => {
    if (this.#closing !== undefined) return;
    this.#guard.report({ operation: 'connection', reason: 'not-connected', error });
  };
}

/**
 * A connection of our own for SUBSCRIBE (a subscribed connection can send nothing else).
 * `autoResubscribe` is forced on, whatever the user's client says; `lazyConnect` off so it
 * connects now.
 */
function duplicateForSubscribing(client: RedisClient): RedisClient {
  if (isCluster(client)) return (client as Cluster).duplicate([], { lazyConnect: false });
  return (client as Redis).duplicate({ autoResubscribe: true, lazyConnect: false });
}
