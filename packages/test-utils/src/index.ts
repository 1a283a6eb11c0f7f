export { useFakeTime, pendingTimers } from './fake-time.ts';
export { abortListenerCount, activeResources, grownResources, watchProcessProblems } from './leaks.ts';
