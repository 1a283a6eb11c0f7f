import { assertDuration, assertKnownOptions, assertMethods, assertString, invalidOption, systemClock, withDefaults, type Clock } from '@breakwater/core';
import type { ClaimResult, IdempotencyStore, StoredRecord } from '../store.ts';
import { runScript, type RedisClient } from './command.ts';
import { CLAIM, COMPLETE, GET, RELEASE, RENEW, SAVE_STEP, type Script } from './scripts.ts';

export interface RedisStoreOptions {
  /**
   * Prepended to every key. It may not hold `{` or `}`: the keys' hash tag must be the record
   * id, so records spread over a Cluster's slots.
   * @default 'bw:idem:'
   */
  readonly prefix?: string;
  /**
   * Bound on each store call (one script, plus EVAL when the script was not loaded), in ms.
   * A call that runs out fails; `run()` then answers `IdempotencyUnavailableError`. At most
   * two thirds of the `leaseMs` of every `idempotency()` using the store (checked there), so a
   * renewal that times out still leaves time for another; a third or less leaves room for two.
   * @default 1_000
   */
  readonly commandTimeoutMs?: number;
  /** Time source for the command timeouts. @default systemClock */
  readonly clock?: Clock;
}

const STEP_FIELD = 's:';

/**
 * An idempotency store on Redis (ioredis `Redis` or `Cluster`): every operation is one Lua
 * script, a single atomic round trip. The claim is `SET lease owner NX PX leaseMs`, so the
 * lease is Redis's own expiry; a record is a hash beside it with PX = the record TTL.
 *
 * ```ts
 * import { Redis } from 'ioredis';
 * import { redisStore } from '@breakwater/idempotency/redis';
 * const store = redisStore(new Redis(process.env.REDIS_URL));
 * ```
 */
export function redisStore(client: RedisClient, options?: RedisStoreOptions): IdempotencyStore {
  assertMethods('client', client, ['evalsha', 'eval']);
  const config = withDefaults('redisStore()', { prefix: 'bw:idem:', commandTimeoutMs: 1_000, clock: systemClock as Clock }, options);
  assertKnownOptions('redisStore()', config, ['prefix', 'commandTimeoutMs', 'clock']);
  assertString('prefix', config.prefix, { max: 256 });
  if (config.prefix.includes('{') || config.prefix.includes('}')) {
    throw invalidOption(`Expected \`prefix\` to hold neither \`{\` nor \`}\` (the record id is the hash tag), got \`${config.prefix}\``, 'range');
  }
  assertDuration('commandTimeoutMs', config.commandTimeoutMs, { min: 1 });
  assertMethods('clock', config.clock, ['setTimeout', 'clearTimeout']);
  return new RedisStore(client, config.prefix, config.commandTimeoutMs, config.clock);
}

class RedisStore implements IdempotencyStore {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #clock: Clock;

  /** `commandTimeoutMs`: idempotency() checks it against the lease's renewal margin. */
  get maxCallMs(): number {
    return this.#timeoutMs;
  }

  constructor(client: RedisClient, prefix: string, timeoutMs: number, clock: Clock) {
    this.#client = client;
    this.#prefix = prefix;
    this.#timeoutMs = timeoutMs;
    this.#clock = clock;
  }

  async claim(id: string, fingerprint: string, owner: string, leaseMs: number, ttlMs: number): Promise<ClaimResult> {
    const reply = (await this.#run(CLAIM, id, [owner, fingerprint, Math.ceil(leaseMs), Math.ceil(ttlMs)])) as [string, unknown?];
    switch (reply[0]) {
      case 'claimed':
        return { status: 'claimed', steps: stepsOf(reply[1] as string[]) };
      case 'completed':
        return { status: 'completed', outcome: reply[1] as string };
      case 'in-flight':
        // PTTL is -2 when the lease expired between SET and PTTL (it cannot, in one script) and
        // -1 without a TTL (never set so); either way: no time left to report.
        return { status: 'in-flight', leaseRemainingMs: Math.max(0, reply[1] as number) };
      case 'mismatch':
        return { status: 'mismatch' };
      default:
        throw new Error(`Unexpected reply from the idempotency claim script: ${String(reply[0])}`);
    }
  }

  async renew(id: string, owner: string, leaseMs: number): Promise<boolean> {
    return (await this.#run(RENEW, id, [owner, Math.ceil(leaseMs)])) === 1;
  }

  async saveStep(id: string, owner: string, name: string, value: string): Promise<boolean> {
    return (await this.#run(SAVE_STEP, id, [owner, name, value])) === 1;
  }

  async complete(id: string, owner: string, fingerprint: string, outcome: string, ttlMs: number): Promise<boolean> {
    return (await this.#run(COMPLETE, id, [owner, fingerprint, outcome, Math.ceil(ttlMs)])) === 1;
  }

  async release(id: string, owner: string): Promise<boolean> {
    return (await this.#run(RELEASE, id, [owner])) === 1;
  }

  async get(id: string): Promise<StoredRecord | undefined> {
    const [fields, pttl] = (await this.#run(GET, id, [])) as [string[], number];
    if (fields.length === 0) return undefined;
    const hash = pairs(fields);
    return { fingerprint: hash.get('f') ?? '', outcome: hash.get('o'), steps: stepsOf(fields), leaseRemainingMs: Math.max(0, pttl) };
  }

  #run(script: Script, id: string, args: readonly (string | number)[]): Promise<unknown> {
    // The id is a base64url hash: it holds no `{`/`}`, so the tag below is exactly it.
    const tag = `${this.#prefix}{${id}}`;
    return runScript(this.#client, script, [`${tag}:lease`, `${tag}:record`], args, this.#timeoutMs, this.#clock);
  }
}

function pairs(fields: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
  return map;
}

function stepsOf(fields: readonly string[]): Record<string, string> {
  // No prototype: a step named `__proto__` or `constructor` is data like any other.
  const steps = Object.create(null) as Record<string, string>;
  for (const [field, value] of pairs(fields)) {
    if (field.startsWith(STEP_FIELD)) steps[field.slice(STEP_FIELD.length)] = value;
  }
  return steps;
}
