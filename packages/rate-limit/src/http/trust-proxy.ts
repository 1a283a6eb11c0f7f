/** The `code` of the warning about a trust-proxy setting that lets clients choose their own address. */
export const TRUST_PROXY_WARNING = 'BREAKWATER_RATE_LIMIT_TRUST_PROXY';

// Once per process and code, like Node's own deprecation warnings: the setting is app-wide, and
// a warning per request or per route would bury the logs.
const warned = new Set<string>();

/**
 * Warns (`process.emitWarning`, type `BreakwaterWarning`, code
 * {@link TRUST_PROXY_WARNING}) that `setting` trusts every proxy: then the framework takes the
 * client address from the left-most `X-Forwarded-For` entry, which the client writes itself,
 * and a client evades its limit by sending a new address with each request.
 */
export function warnPermissiveTrustProxy(setting: string): void {
  if (warned.has(TRUST_PROXY_WARNING)) return;
  warned.add(TRUST_PROXY_WARNING);
  process.emitWarning(
    `${setting} trusts every proxy, so the client address the rate limit keys on comes from the left-most X-Forwarded-For entry, ` +
      'which the client chooses: it can bypass its limit. Trust only your own proxies: a hop count (1) or their addresses (\'loopback\', \'10.0.0.0/8\').',
    { type: 'BreakwaterWarning', code: TRUST_PROXY_WARNING },
  );
}
