// The HTTP face of idempotency keys, shared by @breakwater/express and @breakwater/fastify:
// everything here is framework-free, so both adapters answer the same way.
export { canonicalJson } from './canonical-json.ts';
export { httpFingerprint, isJsonMediaType, type HttpFingerprintInput } from './fingerprint.ts';
export { readKeyHeader, type KeyHeader } from './key-header.ts';
export { storableHeaders, REPLAYED_HEADER, type OutgoingHeaderValue } from './headers.ts';
export { shouldStoreStatus } from './status.ts';
export { BodyCollector, toStoredResponse, toReplay, isStoredHttpResponse, type Replay } from './stored-response.ts';
export { idempotencyProblem, missingKeyProblem, invalidKeyProblem, retryAfterSeconds, type IdempotencyProblem } from './problem.ts';
export {
  resolveIdempotencyHttp,
  GUARDABLE_METHODS,
  type IdempotencyHttpOptions,
  type ResolvedIdempotencyHttp,
  type GuardableMethod,
  type ScopeResult,
} from './options.ts';
export { decideRequest, checkScope, type KeyDecision } from './request.ts';
