import { assertBoolean, assertFunction, assertInteger, assertKnownOptions, assertMethods, assertOneOf, describeValue, invalidOption, isHttpToken, withDefaults } from '@breakwater/core';
import type { IdempotencyLike, StoredHttpResponse } from '../types.ts';
import { shouldStoreStatus } from './status.ts';

/** Methods the middleware can guard (safe methods are idempotent already). */
export const GUARDABLE_METHODS = ['POST', 'PATCH', 'PUT', 'DELETE'] as const;
export type GuardableMethod = (typeof GUARDABLE_METHODS)[number];

/** The principal a key belongs to, or `undefined` for the shared namespace. */
export type ScopeResult = string | undefined;

/** Options of the Express middleware and the Fastify plugin; `Req` is the framework's request. */
export interface IdempotencyHttpOptions<Req = unknown> {
  /** The idempotency object: `idempotency({ store: memoryStore() })` or one on a Redis store. Required. */
  readonly idempotency: IdempotencyLike;
  /** Methods that honour the key; other methods pass through untouched. @default ['POST', 'PATCH'] */
  readonly methods?: readonly GuardableMethod[];
  /** Answer 400 to a request of a guarded method without a key. `false` lets it run unguarded. @default false */
  readonly required?: boolean;
  /**
   * The principal that owns a key (tenant, user or API key id), from the request: the same key
   * from two principals is two records, so one client can neither read nor block another's.
   * Without it every client shares ONE namespace; set it whenever clients are authenticated.
   * May return a promise. What it throws goes to the framework's error handling.
   * @default undefined (one shared namespace)
   */
  readonly scope?: (request: Req) => ScopeResult | Promise<ScopeResult>;
  /** The request header holding the key (case-insensitive). @default 'Idempotency-Key' */
  readonly header?: string;
  /** Store 5xx responses and replay them (Stripe v1) instead of releasing the key for a retry. @default false */
  readonly storeServerErrors?: boolean;
  /**
   * The largest response body stored, in bytes (0–536870912). A larger response is sent but not
   * stored, and its key is released. The stored record (body as base64, ~4/3 larger, plus headers)
   * must also fit the idempotency object's `maxRecordBytes` (default 1 MiB).
   * @default 524_288 (512 KiB)
   */
  readonly maxBodyBytes?: number;
}

/** The options checked and resolved, ready for an adapter. */
export interface ResolvedIdempotencyHttp<Req> {
  readonly idempotency: IdempotencyLike;
  /** Upper-case method names. */
  readonly methods: ReadonlySet<string>;
  readonly required: boolean;
  readonly scope: ((request: Req) => ScopeResult | Promise<ScopeResult>) | undefined;
  /** The header as configured, for messages. */
  readonly header: string;
  /** Lower-case, for lookups in Node's header maps. */
  readonly headerKey: string;
  readonly storeServerErrors: boolean;
  readonly maxBodyBytes: number;
  /** `run()`'s `shouldStore`: a final status is stored, anything else releases the key. */
  readonly shouldStore: (response: StoredHttpResponse) => boolean;
}

const DEFAULTS = {
  methods: ['POST', 'PATCH'] as readonly GuardableMethod[],
  required: false,
  header: 'Idempotency-Key',
  storeServerErrors: false,
  maxBodyBytes: 524_288,
};
const KNOWN = ['idempotency', 'methods', 'required', 'scope', 'header', 'storeServerErrors', 'maxBodyBytes'] as const;
const MAX_BODY_BYTES = 536_870_912;

/** Checks the adapter options once, at construction; `factory` names the adapter in errors. */
export function resolveIdempotencyHttp<Req>(factory: string, options: IdempotencyHttpOptions<Req>): ResolvedIdempotencyHttp<Req> {
  const config = withDefaults(factory, DEFAULTS, options);
  assertKnownOptions(factory, config, KNOWN);
  assertMethods('idempotency', config.idempotency, ['run']);
  if (!Array.isArray(config.methods) || config.methods.length === 0) {
    throw invalidOption(`Expected \`methods\` to be a non-empty array of ${GUARDABLE_METHODS.map((m) => `\`${m}\``).join(', ')}, got ${describeValue(config.methods)}`);
  }
  const methods = new Set<string>();
  for (const [index, method] of config.methods.entries()) {
    const upper: unknown = typeof method === 'string' ? method.toUpperCase() : method;
    assertOneOf(`methods[${index}]`, upper, GUARDABLE_METHODS);
    methods.add(upper);
  }
  assertBoolean('required', config.required);
  if (config.scope !== undefined) assertFunction('scope', config.scope);
  if (typeof config.header !== 'string' || !isHttpToken(config.header)) {
    throw invalidOption(`Expected \`header\` to be a header name (letters, digits and !#$%&'*+-.^_\`|~), got ${describeValue(config.header)}`);
  }
  assertBoolean('storeServerErrors', config.storeServerErrors);
  assertInteger('maxBodyBytes', config.maxBodyBytes, { min: 0, max: MAX_BODY_BYTES });
  const storeServerErrors = config.storeServerErrors;
  return {
    idempotency: config.idempotency,
    methods,
    required: config.required,
    scope: config.scope,
    header: config.header,
    headerKey: config.header.toLowerCase(),
    storeServerErrors: config.storeServerErrors,
    maxBodyBytes: config.maxBodyBytes,
    shouldStore: (response) => shouldStoreStatus(response.status, storeServerErrors),
  };
}
