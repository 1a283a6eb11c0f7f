export { BreakwaterError, isBreakwaterError, type BreakwaterErrorOptions } from './breakwater-error.ts';
export { TimeoutError, isTimeoutError, withCause } from './timeout-error.ts';
export { errorBrand, hasBrand, breakwaterErrorBrand } from './brand.ts';
// cockatiel's errors are re-exported, not wrapped: one set of errors to check, whichever library's policy threw.
export {
  BrokenCircuitError,
  BulkheadRejectedError,
  IsolatedCircuitError,
  TaskCancelledError,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isIsolatedCircuitError,
  isTaskCancelledError,
} from 'cockatiel';
