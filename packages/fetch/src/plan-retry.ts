import {
  assertFunction,
  assertInteger,
  assertKnownOptions,
  assertString,
  describeValue,
  invalidOption,
  type Clock,
} from '@breakwater/core';
import { retry, type RetryBudgetLike, type RetryPolicy } from '@breakwater/retry';
import { isRetryableFetchError } from './classify.ts';
import { inFlightConflicts } from './conflict.ts';
import { isResponse } from './discard.ts';
import type { FetchRetryOptions } from './options.ts';
import type { PlanHooks } from './resolve.ts';

export const DEFAULT_RETRY_METHODS: readonly string[] = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE', 'QUERY'];
export const DEFAULT_RETRY_STATUSES: readonly number[] = [408, 429, 500, 502, 503, 504];

const RETRY_KNOWN = [
  'maxRetries',
  'methods',
  'statuses',
  'retryOnError',
  'baseDelay',
  'maxDelay',
  'jitter',
  'random',
  'maxTotalDelay',
  'respectRetryAfter',
  'budget',
] as const;

/** Retry settings that a request uses, whichever policy object carries them. */
export interface RetryPlan {
  readonly policy: RetryPolicy;
  readonly methods: ReadonlySet<string>;
  readonly statuses: ReadonlySet<number>;
  readonly retryOnError: (error: unknown) => boolean;
  /** The policy's `handleResult`: a retryable status, or the in-flight 409 of a keyed request. */
  readonly retryable: (value: unknown) => boolean;
  /** The options it was built from, for per-request overrides to extend. */
  readonly options: FetchRetryOptions;
}

export function retryObject(name: string, value: FetchRetryOptions | number): FetchRetryOptions {
  if (typeof value === 'number') return { maxRetries: value };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidOption(`Expected \`${name}\` to be retry options, a number of retries or false, got ${describeValue(value)}`);
  }
  assertKnownOptions(name, value, RETRY_KNOWN);
  return value;
}

export function buildRetry(options: FetchRetryOptions, budget: RetryBudgetLike | undefined, name: string, clock: Clock, hooks: PlanHooks): RetryPlan {
  const methods = options.methods ?? DEFAULT_RETRY_METHODS;
  if (!Array.isArray(methods)) throw invalidOption(`Expected \`retry.methods\` to be an array of method names, got ${describeValue(methods)}`);
  for (const method of methods) assertString('retry.methods[]', method, { min: 1 });
  const statuses = options.statuses ?? DEFAULT_RETRY_STATUSES;
  if (!Array.isArray(statuses)) throw invalidOption(`Expected \`retry.statuses\` to be an array of status codes, got ${describeValue(statuses)}`);
  for (const status of statuses) assertInteger('retry.statuses[]', status, { min: 100, max: 599 });
  const retryOnError = options.retryOnError ?? isRetryableFetchError;
  assertFunction('retry.retryOnError', retryOnError);
  const statusSet = new Set(statuses);
  const retryable = (value: unknown): boolean => {
    if (!isResponse(value)) return false;
    const status = value.status;
    return statusSet.has(status) || (status === 409 && inFlightConflicts.has(value));
  };
  const policy = retry({
    maxRetries: options.maxRetries ?? 3,
    baseDelay: options.baseDelay ?? 300,
    maxDelay: options.maxDelay ?? Math.max(10_000, options.baseDelay ?? 0),
    jitter: options.jitter ?? 'full',
    random: options.random,
    maxTotalDelay: options.maxTotalDelay,
    respectRetryAfter: options.respectRetryAfter ?? true,
    budget,
    handle: retryOnError,
    handleResult: retryable,
    name,
    clock,
  });
  hooks.retryCreated(policy);
  return { policy, methods: new Set(methods.map((m) => m.toUpperCase())), statuses: statusSet, retryOnError, retryable, options };
}
