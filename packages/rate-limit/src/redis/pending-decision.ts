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
  /** The general script's arguments (key, algorithm, cost, consume, now, …); none for the GCRA one, which decides a batch per call. */
  readonly head: readonly (string | number)[] | undefined;
}

/**
 * The decisions made in one tick (or one decision, when not batching), under one timer started
 * with the first of them and cleared once the last has settled: a timer costs about as much as
 * the rest of a decision's work in this process.
 */
export class DecisionBatch {
  readonly pendings: Pending[] = [];
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #timer: unknown;
  #open = 0;

  constructor(clock: Clock, timeoutMs: number) {
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
    // Started before the command is even queued: the bound covers the whole decision.
    this.#timer = clock.setTimeout(this.#expire, timeoutMs);
  }

  add(pending: Pending): void {
    this.pendings.push(pending);
    this.#open++;
  }

  /** One decision settled. */
  release(): void {
    if (--this.#open === 0) this.#clock.clearTimeout(this.#timer);
  }

  readonly #expire = (): void => {
    for (const pending of this.pendings) pending.expire(this.#timeoutMs);
  };
}

/** One decision in flight. A class rather than closures: this runs 100 k times a second. */
export class Pending {
  readonly promise: Promise<StoreReply>;
  readonly plan: Plan;
  /** The Redis key. */
  readonly key: string;
  readonly cost: number;
  /** The injected time (tests), or undefined for Redis TIME. */
  readonly now: number | undefined;
  readonly #batch: DecisionBatch;
  #settled = false;
  #resolve!: (reply: StoreReply) => void;
  #reject!: (error: unknown) => void;

  constructor(plan: Plan, key: string, cost: number, now: number | undefined, batch: DecisionBatch) {
    this.plan = plan;
    this.key = key;
    this.cost = cost;
    this.now = now;
    this.#batch = batch;
    this.promise = new Promise<StoreReply>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    batch.add(this);
  }

  settle(reply: StoreReply): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#batch.release();
    this.#resolve(reply);
  }

  fail(error: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#batch.release();
    this.#reject(error);
  }

  /** The batch's timer fired: a decision still waiting fails (a late reply is then ignored). */
  expire(timeoutMs: number): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(new RateLimitStoreTimeoutError(timeoutMs));
  }
}

/**
 * One `EVALSHA` (and its `EVAL` on NOSCRIPT): a decision of the general script, or one or more
 * decisions of one limiter's GCRA script (keys, then costs, then, in tests, times).
 */
export class ScriptCall {
  readonly #client: ScriptClient;
  readonly #plan: Plan;
  readonly #pendings: readonly Pending[];
  readonly #keys: number;
  readonly #args: (string | number)[];

  constructor(client: ScriptClient, pendings: readonly Pending[]) {
    const first = pendings[0]!;
    this.#client = client;
    this.#plan = first.plan;
    this.#pendings = pendings;
    const head = first.plan.head;
    if (head !== undefined) {
      const args = head.slice();
      args[0] = first.key;
      args[2] = first.cost;
      if (first.now !== undefined) args[4] = first.now;
      this.#keys = 1;
      this.#args = args;
    } else if (pendings.length === 1) {
      this.#keys = 1;
      this.#args = first.now === undefined ? [first.key, first.cost] : [first.key, first.cost, first.now];
    } else {
      const count = pendings.length;
      const args = new Array<string | number>(first.now === undefined ? 2 * count : 3 * count);
      for (let i = 0; i < count; i++) {
        const pending = pendings[i]!;
        args[i] = pending.key;
        args[count + i] = pending.cost;
        if (first.now !== undefined) args[2 * count + i] = pending.now!;
      }
      this.#keys = count;
      this.#args = args;
    }
  }

  send(): void {
    this.#client.evalsha(this.#plan.sha, this.#keys, ...this.#args).then(this.answer, this.retry);
  }

  addTo(pipeline: ScriptPipeline): void {
    pipeline.evalsha(this.#plan.sha, this.#keys, ...this.#args);
  }

  /** Four numbers per decision; a decision whose key Redis refused has its error in place of the first. */
  readonly answer = (reply: unknown): void => {
    const pendings = this.#pendings;
    const values = reply as readonly unknown[];
    if (pendings.length === 1) {
      if (values[0] instanceof Error) pendings[0]!.fail(values[0]);
      else pendings[0]!.settle(values as StoreReply);
      return;
    }
    for (let i = 0; i < pendings.length; i++) {
      const at = 4 * i;
      if (values[at] instanceof Error) pendings[i]!.fail(values[at]);
      else pendings[i]!.settle(values.slice(at, at + 4) as StoreReply);
    }
  };

  readonly fail = (error: unknown): void => {
    for (const pending of this.#pendings) pending.fail(error);
  };

  /** After a restart, failover or SCRIPT FLUSH: EVAL sends the body and loads it again (nothing ran). */
  readonly retry = (error: unknown): void => {
    if (isNoScript(error)) this.#client.eval(this.#plan.script, this.#keys, ...this.#args).then(this.answer, this.fail);
    else this.fail(error);
  };
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
