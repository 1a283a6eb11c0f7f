export { idempotency, Idempotency } from './idempotency.ts';
export type { IdempotencyOptions } from './idempotency-options.ts';
export { memoryStore, type MemoryStoreOptions } from './memory-store.ts';
export { validateIdempotencyKey, MAX_KEY_LENGTH } from './key.ts';
export type { IdempotencyStore, ClaimResult, StoredRecord } from './store.ts';
export type {
  IdempotencyOutcome,
  IdempotencyOutcomeEvent,
  LeaseLostEvent,
  ReleaseReason,
  StoreErrorEvent,
  StoreOperation,
} from './events.ts';
export type { JsonValue, StoredHttpResponse, RunOptions, RunContext, RunResult, IdempotencyLike } from './types.ts';
export { InvalidIdempotencyKeyError, isInvalidIdempotencyKeyError, type InvalidKeyReason } from './errors/invalid-idempotency-key-error.ts';
export { IdempotencyConflictError, isIdempotencyConflictError } from './errors/idempotency-conflict-error.ts';
export { IdempotencyMismatchError, isIdempotencyMismatchError } from './errors/idempotency-mismatch-error.ts';
export { IdempotencyUnavailableError, isIdempotencyUnavailableError } from './errors/idempotency-unavailable-error.ts';
export { IdempotencyLeaseLostError, isIdempotencyLeaseLostError } from './errors/idempotency-lease-lost-error.ts';
export { IdempotencyNotStorableError, isIdempotencyNotStorableError } from './errors/idempotency-not-storable-error.ts';
export { canonicalJson, httpFingerprint, isJsonMediaType, readKeyHeader, storableHeaders, REPLAYED_HEADER, shouldStoreStatus, BodyCollector, toStoredResponse, toReplay, isStoredHttpResponse, idempotencyProblem, missingKeyProblem, invalidKeyProblem, retryAfterSeconds, resolveIdempotencyHttp, GUARDABLE_METHODS, decideRequest, checkScope, type HttpFingerprintInput, type KeyHeader, type OutgoingHeaderValue, type Replay, type IdempotencyProblem, type IdempotencyHttpOptions, type ResolvedIdempotencyHttp, type GuardableMethod, type ScopeResult, type KeyDecision } from './http/index.ts';
