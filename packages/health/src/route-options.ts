import { assertKnownOptions, assertString, describeValue, invalidOption, withDefaults } from '@breakwater/core';
import type { HealthProbes } from './health.ts';

/** Where each probe answers (the Express and Fastify adapters' `paths` option). */
export interface HealthPaths {
  /** @default '/health/live' */
  readonly live?: string;
  /** @default '/health/ready' */
  readonly ready?: string;
  /** @default '/health/startup' */
  readonly startup?: string;
}

export const HEALTH_PATH_DEFAULTS = { live: '/health/live', ready: '/health/ready', startup: '/health/startup' } as const;

/** Checks an adapter's `paths` option: three different absolute paths, defaults filled in. */
export function resolveHealthPaths(paths: unknown): Required<HealthPaths> {
  if (paths === undefined) return { ...HEALTH_PATH_DEFAULTS };
  if (paths === null || typeof paths !== 'object') throw invalidOption(`Expected \`paths\` to be an object, got ${describeValue(paths)}`);
  const merged = withDefaults('paths', HEALTH_PATH_DEFAULTS, paths as HealthPaths);
  assertKnownOptions('paths', merged, ['live', 'ready', 'startup']);
  for (const key of ['live', 'ready', 'startup'] as const) {
    assertString(`paths.${key}`, merged[key], { min: 1 });
    if (!merged[key].startsWith('/')) throw invalidOption(`Expected \`paths.${key}\` to start with "/", got ${describeValue(merged[key])}`, 'range');
  }
  if (new Set([merged.live, merged.ready, merged.startup]).size !== 3) throw invalidOption('Expected `paths` to name three different paths');
  return merged;
}

/**
 * Checks an adapter's `exposeDetails` option: a boolean, or a function of the request. Left out,
 * the registry's own setting applies.
 */
export function resolveExposeDetails<Req>(value: unknown, health: HealthProbes): (request: Req) => boolean {
  if (value === undefined) return () => health.exposeDetails;
  if (typeof value === 'boolean') return () => value;
  if (typeof value !== 'function') throw invalidOption(`Expected \`exposeDetails\` to be a boolean or a function, got ${describeValue(value)}`);
  // Anything but a literal true keeps the details private.
  return (request) => (value as (request: Req) => unknown)(request) === true;
}
