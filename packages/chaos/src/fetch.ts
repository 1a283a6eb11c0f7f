import { assertFunction, describeValue, invalidOption, wrap, type IPolicy, type PolicyContext } from '@breakwater/core';

type Fetch = typeof globalThis.fetch;

/**
 * A `fetch` that sends every request through the given chaos policies first (outermost first),
 * so any client that accepts a custom fetch — @breakwater/fetch, an SDK — meets injected 503s,
 * network errors and latency. The caller's signal (from `init` or the `Request`) reaches the
 * policies and the real fetch.
 *
 * @example
 * const chaotic = chaosFetch([
 *   chaosLatency({ injectionRate: 0.1, latency: 800 }),
 *   chaosOutcome({ injectionRate: 0.05, outcome: () => injectedResponse(503, { 'retry-after': '1' }) }),
 *   chaosFault({ injectionRate: 0.02, fault: () => injectedNetworkError() }),
 * ]);
 * const client = createFetch({ fetch: chaotic });
 */
export function chaosFetch(policies: IPolicy<PolicyContext, unknown> | readonly IPolicy<PolicyContext, unknown>[], baseFetch?: Fetch): Fetch {
  const list = Array.isArray(policies) ? policies : [policies as IPolicy<PolicyContext, unknown>];
  if (list.length === 0) throw invalidOption('Expected `policies` to hold at least one chaos policy, got an empty array', 'range');
  for (const policy of list) {
    if (policy === null || typeof policy !== 'object' || typeof (policy as { execute?: unknown }).execute !== 'function') {
      throw invalidOption(`Expected every entry of \`policies\` to be a policy with execute(), got ${describeValue(policy)}`);
    }
  }
  if (baseFetch !== undefined) assertFunction('baseFetch', baseFetch);
  const policy = list.length === 1 ? list[0]! : wrap(...(list as [IPolicy<PolicyContext, unknown>]));
  // The global is read per call, so a fetch stubbed after this function was built is honoured.
  const send: Fetch = baseFetch ?? ((input, init) => globalThis.fetch(input, init));
  return ((input: Parameters<Fetch>[0], init?: Parameters<Fetch>[1]) => {
    const callerSignal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    return policy.execute(({ signal }: PolicyContext) => send(input, { ...init, signal }), callerSignal ?? undefined) as Promise<Response>;
  }) as Fetch;
}

/** A `Response` for `chaosOutcome()`: the given status, headers and an empty body. */
export function injectedResponse(status: number, headers?: ConstructorParameters<typeof Headers>[0]): Response {
  return new Response(null, { status, headers });
}

/**
 * The error undici's fetch throws when a connection is reset (`TypeError: fetch failed` whose
 * `cause.code` is `ECONNRESET`), so retry classification is exercised exactly as in production.
 */
export function injectedNetworkError(code = 'ECONNRESET'): TypeError {
  const cause = Object.assign(new Error(`read ${code}`), { code, syscall: 'read' });
  return new TypeError('fetch failed', { cause });
}
