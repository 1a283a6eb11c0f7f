import { assertInteger, assertDuration, assertKnownOptions, assertString, invalidOption, describeValue } from '@breakwater/core';
import type { LimitDescription } from './types.ts';

/** One limit of a limiter: at most `quota` units per `windowMs`. */
export interface LimitOptions {
  /** Units admitted per window; for GCRA and token bucket also the burst size. Integer from 1. Required. */
  readonly quota: number;
  /** The window in ms (for GCRA and token bucket, the time to refill `quota` from empty). Integer from 1. Required. */
  readonly windowMs: number;
  /**
   * A name unique within the limiter, sent in `RateLimit-Policy` and used as the `policy`
   * metric label. Letters, digits and `-_.:/` only.
   * @default `${quota}-per-${window}` such as `'10-per-1s'`, `'1000-per-1h'`, `'5-per-1500ms'`
   */
  readonly name?: string;
}

const KNOWN = ['quota', 'windowMs', 'name'] as const;
const NAME = /^[A-Za-z0-9_.:/-]{1,64}$/;

function windowText(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

/** Checks `limits` (one limit or a non-empty list) and fills in names. */
export function resolveLimits(limits: unknown): readonly LimitDescription[] {
  const list: unknown[] = Array.isArray(limits) ? limits : limits === undefined ? [] : [limits];
  if (list.length === 0 || list.length > 16) {
    throw invalidOption(`Expected \`limits\` to be a limit or a list of 1 to 16 limits ({ quota, windowMs, name? }), got ${describeValue(limits)}`);
  }
  const seen = new Set<string>();
  return list.map((limit, index) => {
    const at = `limits[${index}]`;
    if (limit === null || typeof limit !== 'object') {
      throw invalidOption(`Expected \`${at}\` to be an object { quota, windowMs, name? }, got ${describeValue(limit)}`);
    }
    assertKnownOptions(`rateLimit() ${at}`, limit, KNOWN);
    const { quota, windowMs, name } = limit as LimitOptions;
    assertInteger(`${at}.quota`, quota, { min: 1, max: 1e12 });
    assertInteger(`${at}.windowMs`, windowMs, { min: 1 });
    assertDuration(`${at}.windowMs`, windowMs, { min: 1 });
    const resolvedName = name ?? `${quota}-per-${windowText(windowMs)}`;
    assertString(`${at}.name`, resolvedName, { min: 1, max: 64 });
    if (!NAME.test(resolvedName)) {
      throw invalidOption(`Expected \`${at}.name\` to use letters, digits and -_.:/ only, got ${describeValue(resolvedName)}`);
    }
    if (seen.has(resolvedName)) {
      throw invalidOption(`Expected \`${at}.name\` to be unique within the limiter, got ${describeValue(resolvedName)} twice; name the limits`);
    }
    seen.add(resolvedName);
    return Object.freeze({ name: resolvedName, quota, windowMs });
  });
}
