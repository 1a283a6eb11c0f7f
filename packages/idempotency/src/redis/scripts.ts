import { createHash } from 'node:crypto';

/**
 * One Lua script per store operation, so each compare-and-set is one atomic round trip.
 * Every script takes KEYS[1] = the lease key (a string holding the owner token, with PX = the
 * lease) and KEYS[2] = the record (a hash: `f` fingerprint, `o` outcome JSON, `s:<name>` saved
 * steps, with PX = the record TTL). Both keys share a hash tag, so they live in one Cluster slot.
 */
export interface Script {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * ARGV: owner, fingerprint, leaseMs, ttlMs. → {'mismatch'} | {'completed', outcome} |
 * {'in-flight', pttl} | {'claimed', {field, value, …}}. The fingerprint is compared before
 * the lease, so a different payload gets a mismatch even while the first is running.
 */
export const CLAIM = script(`
local fp = redis.call('HGET', KEYS[2], 'f')
if fp and fp ~= ARGV[2] then return {'mismatch'} end
if fp then
  local outcome = redis.call('HGET', KEYS[2], 'o')
  if outcome then return {'completed', outcome} end
end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[3]) then
  return {'in-flight', redis.call('PTTL', KEYS[1])}
end
if fp then
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
  return {'claimed', redis.call('HGETALL', KEYS[2])}
end
redis.call('HSET', KEYS[2], 'f', ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return {'claimed', {}}
`);

/**
 * ARGV: owner, leaseMs. → 1 when renewed, 0 when `owner` no longer holds the lease. The record
 * is kept at least as long as the lease (its PTTL raised to leaseMs when shorter, never
 * lowered): a handler that runs past `ttlMs` keeps its fingerprint and saved steps.
 */
export const RENEW = script(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local left = redis.call('PTTL', KEYS[2])
if left >= 0 and left < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
`);

/** ARGV: owner, step name, value JSON. → 1 when saved. */
export const SAVE_STEP = script(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] or redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('HSET', KEYS[2], 's:' .. ARGV[2], ARGV[3])
return 1
`);

/**
 * ARGV: owner, fingerprint, outcome JSON, ttlMs. → 1 when stored. Refused while another owner
 * holds the lease or once the record has an outcome; a lapsed lease nobody took over completes.
 */
export const COMPLETE = script(`
local holder = redis.call('GET', KEYS[1])
if holder ~= ARGV[1] then
  if holder then return 0 end
  if redis.call('HEXISTS', KEYS[2], 'o') == 1 then return 0 end
end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[2], 'f', ARGV[2], 'o', ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1
`);

/**
 * ARGV: owner. → 1 when `owner` held the lease. The record is deleted unless it has an outcome
 * or saved steps (only the fingerprint field is left), so a failed attempt leaves no trace.
 */
export const RELEASE = script(`
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
if holder then redis.call('DEL', KEYS[1]) end
if redis.call('HEXISTS', KEYS[2], 'o') == 0 and redis.call('HLEN', KEYS[2]) <= 1 then redis.call('DEL', KEYS[2]) end
if holder then return 1 end
return 0
`);

/** → {{field, value, …}, pttl of the lease}. */
export const GET = script(`
return {redis.call('HGETALL', KEYS[2]), redis.call('PTTL', KEYS[1])}
`);
