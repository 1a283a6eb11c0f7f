import {
  assertFunction,
  assertKnownOptions,
  assertString,
  describeValue,
  invalidOption,
} from '@breakwater/core';
import type { IdempotencyKeyOptions } from './options.ts';

const KEY_KNOWN = ['header', 'generate'] as const;


export interface IdempotencyPlan {
  readonly header: string;
  readonly generate: () => string;
}

export function buildIdempotency(option: IdempotencyKeyOptions | boolean): IdempotencyPlan & { generating: boolean } {
  if (typeof option === 'boolean') return { header: 'Idempotency-Key', generate: defaultKey, generating: option };
  if (option === null || typeof option !== 'object') {
    throw invalidOption(`Expected \`idempotencyKey\` to be a boolean or { header, generate }, got ${describeValue(option)}`);
  }
  assertKnownOptions('idempotencyKey', option, KEY_KNOWN);
  const header = option.header ?? 'Idempotency-Key';
  assertString('idempotencyKey.header', header, { min: 1 });
  const generate = option.generate ?? defaultKey;
  assertFunction('idempotencyKey.generate', generate);
  return { header, generate, generating: true };
}

/** A fresh key as an sf-string, the form the IETF draft gives (`"8e03978e-…"`). */
export function defaultKey(): string {
  return `"${crypto.randomUUID()}"`;
}
