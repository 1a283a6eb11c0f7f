import type { Clock } from '@breakwater/core';
import { RateLimitStoreTimeoutError } from '../errors/rate-limit-store-timeout-error.ts';
import type { StoreReply } from '../store.ts';

/** What the store uses of ioredis `Redis` and `Cluster`. */
export interface ScriptClient {
  readonly status: string;
  readonly isCluster?: boolean;
  evalsha(sha: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
  pipeline(): ScriptPipeline;
}

export interface ScriptPipeline {
  evalsha(sha: string, numberOfKeys: number, ...args: (string | number)[]): unknown;
  exec(): Promise<[Error | null, unknown][] | null>;
}

/** Which script a limiter runs and, for the general one, its arguments with the key, cost and `now` left blank. */
export interface Plan {
  /** The limiter's keys up to the hash tag: `<prefix><name>:<limitsHash>:`. */
  readonly keyHead: string;
  readonly sha: string;
  readonly script: string;
  /** The general script's arguments (key, algorithm, cost, consume, now, …); none for the GCRA one. */
  readonly head: readonly (string | number)[] | undefined;
}

/**
 * One decision in flight: EVALSHA, EVAL on NOSCRIPT, all under one timer that is cleared however
 * the call ends. A class rather than closures: this runs 100 k times a second.
 */
export class Pending {
  readonly promise: Promise<StoreReply>;
  readonly #client: ScriptClient;
  readonly #plan: Plan;
  readonly #args: (string | number)[];
  readonly #clock: Clock;
  readonly #timer: unknown;
  #resolve!: (reply: StoreReply) => void;
  #reject!: (error: unknown) => void;

  constructor(client: ScriptClient, plan: Plan, args: (string | number)[], clock: Clock, timeoutMs: number) {
    this.#client = client;
    this.#plan = plan;
    this.#args = args;
    this.#clock = clock;
    this.promise = new Promise<StoreReply>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Started before the command is even queued: the bound covers the whole decision.
    this.#timer = clock.setTimeout(() => this.#reject(new RateLimitStoreTimeoutError(timeoutMs)), timeoutMs);
  }

  send(): void {
    this.#client.evalsha(this.#plan.sha, 1, ...this.#args).then(this.settle, this.retry);
  }

  addTo(pipeline: ScriptPipeline): void {
    pipeline.evalsha(this.#plan.sha, 1, ...this.#args);
  }

  readonly settle = (reply: unknown): void => {
    this.#clock.clearTimeout(this.#timer);
    this.#resolve(reply as StoreReply);
  };

  readonly fail = (error: unknown): void => {
    this.#clock.clearTimeout(this.#timer);
    this.#reject(error);
  };

  /** After a restart, failover or SCRIPT FLUSH: EVAL sends the body and loads it again. */
  readonly retry = (error: unknown): void => {
    if (isNoScript(error)) this.#client.eval(this.#plan.script, 1, ...this.#args).then(this.settle, this.fail);
    else this.fail(error);
  };
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
