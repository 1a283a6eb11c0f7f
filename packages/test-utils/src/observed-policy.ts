import { Inbox } from './inbox.ts';

/** Anything with a policy's `execute(fn, signal?)`: a Breakwater or cockatiel policy. */
export interface ExecutesCalls {
  execute<T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T>;
}

/** Wraps a bulkhead so the test learns when a request has reached it (and so is running or queued). */
export function observed(policy: ExecutesCalls): { policy: ExecutesCalls; arrivals: Inbox<void> } {
  const arrivals = new Inbox<void>();
  return {
    arrivals,
    policy: {
      execute<T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T> {
        const running = policy.execute(fn, signal);
        arrivals.push();
        return running;
      },
    },
  };
}
