export { wrap, type WrappedPolicy } from './wrap.ts';
export { SignalContext } from './context.ts';
export type { Policy, PolicyContext, ErrorFilter, ResultFilter, SuccessEvent, FailureEvent, IPolicy, IDefaultPolicyContext } from './policy.ts';
export { timeout, TimeoutPolicy, type TimeoutOptions, type TimeoutStrategy, type TimeoutEvent } from './timeout.ts';
export { fallback, FallbackPolicy, type FallbackOptions, type FallbackEvent } from './fallback.ts';
export { resolveDeadline, deadlineDetail, type DeadlineOptions, type DeadlineStatus, type ResolvedDeadline } from './deadline-options.ts';
export type { HttpRequestSample, HttpRequestObserver, MetricsRegistry } from './http-metrics-types.ts';
export { problemDetails, PROBLEM_CONTENT_TYPE, type ProblemDetails } from './problem.ts';
export { HOP_BY_HOP_HEADERS, isHttpToken } from './http-fields.ts';
export { systemClock, type Clock, type TimerHandle } from './clock.ts';
export { Deadline, DeadlineQueue } from './deadline-queue.ts';
export { seededRandom } from './random.ts';
export { abortableDelay, linkSignal, raceAbort, isAbortable, neverAbortedSignal, type LinkedAbort } from './abort.ts';
export { EventEmitter, once, type Event, type Disposable } from './events.ts';
export {
  assertBoolean,
  assertDuration,
  assertFunction,
  assertInteger,
  assertKnownOptions,
  assertMethods,
  assertNumber,
  assertOneOf,
  assertOptionalSignal,
  assertString,
  describeValue,
  invalidOption,
  withDefaults,
  withoutUndefined,
  INVALID_OPTION,
  MAX_TIMER_MS,
  type Range,
} from './validate.ts';
export {
  BreakwaterError,
  isBreakwaterError,
  TimeoutError,
  isTimeoutError,
  withCause,
  errorBrand,
  hasBrand,
  breakwaterErrorBrand,
  BrokenCircuitError,
  BulkheadRejectedError,
  IsolatedCircuitError,
  TaskCancelledError,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isIsolatedCircuitError,
  isTaskCancelledError,
  type BreakwaterErrorOptions,
} from './errors/index.ts';
