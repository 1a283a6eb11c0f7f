import { problemDetails, PROBLEM_CONTENT_TYPE } from '@breakwater/core';
import type { RateLimitDecision } from '../types.ts';
import { rateLimitHeaders, retryAfterSeconds, RETRY_AFTER_HEADER, type RateLimitHeadersMode } from './headers.ts';

/** A complete answer, written as it is by both adapters, so Express and Fastify send the same bytes. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** An RFC 9457 problem+json body. */
  readonly body: string;
}

function seconds(n: number): string {
  return `${n} second${n === 1 ? '' : 's'}`;
}

/**
 * The 429 for a denied decision: the rate-limit headers of `mode`, `Retry-After`, and a
 * problem+json body naming the limit that denied.
 */
export function limitedAnswer(decision: RateLimitDecision, mode: RateLimitHeadersMode, policyHeader: string | undefined): HttpAnswer {
  const headers = rateLimitHeaders(decision, mode, policyHeader);
  const wait = headers[RETRY_AFTER_HEADER] ?? String(retryAfterSeconds(decision.retryAfterMs, decision.limits));
  const body = JSON.stringify(problemDetails(429, `The rate limit "${decision.policy}" is exhausted; retry after ${seconds(Number(wait))}.`));
  return { status: 429, headers: { ...headers, [RETRY_AFTER_HEADER]: wait, 'content-type': PROBLEM_CONTENT_TYPE }, body };
}

/**
 * The 503 for a limiter that fails closed during a store outage (`RateLimitUnavailableError`):
 * `Retry-After` is the error's `retryAfterMs` (when the limiter tries its store again) rounded
 * up, at least 1 second. No rate-limit headers: there is no decision to report.
 */
export function unavailableAnswer(error: { readonly retryAfterMs?: unknown }): HttpAnswer {
  const ms = typeof error.retryAfterMs === 'number' && !Number.isNaN(error.retryAfterMs) ? error.retryAfterMs : 1_000;
  const wait = retryAfterSeconds(ms);
  const body = JSON.stringify(problemDetails(503, `The rate limit cannot be checked right now; retry after ${seconds(wait)}.`));
  return { status: 503, headers: { [RETRY_AFTER_HEADER]: String(wait), 'content-type': PROBLEM_CONTENT_TYPE }, body };
}
