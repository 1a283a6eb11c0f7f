import { createHash } from 'node:crypto';

/**
 * One decision, atomically: reads the key's state, runs the algorithm for every limit, writes
 * the state back only when the request is counted, with a TTL just past the moment the state
 * stops mattering. A line-by-line port of `src/algorithms/*.ts` (same operations in the same
 * order, so memory and Redis agree to the bit); `test/algorithms-parity.test.ts` checks it.
 *
 * KEYS[1] the key. ARGV: algorithm letter, cost, consumeWhenDenied (0|1), now ('' = Redis TIME),
 * TTL margin ms, number of limits, then quota and windowMs per limit.
 * Value: `<algorithm>:<limits> n n n …` (numbers in %.17g, which round-trips a double).
 * Reply: allowed (1|0), then remaining, resetMs, retryAfterMs per limit.
 */
export const DECIDE_SCRIPT = `
local algo = ARGV[1]
local cost = tonumber(ARGV[2])
local consume = ARGV[3] == '1'
local now
if ARGV[4] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
else
  now = tonumber(ARGV[4])
end
local margin = tonumber(ARGV[5])
local count = tonumber(ARGV[6])
local EPS = 1e-6
local slots = 1
if algo == 'b' or algo == 'f' then slots = 2 elseif algo == 's' then slots = 3 end
local signature = algo .. ':' .. count

-- Ms until cost fits over these sliding-window counts (0 when it fits now): sliding-window.ts waitFor.
local function waitFor(previous, current, used, elapsed, q, w)
  if used + cost <= q + EPS then return 0 end
  if current + cost <= q + EPS then
    local needed = w * (1 - (q - cost - current) / previous)
    return math.max(1, math.ceil(needed - elapsed - EPS))
  end
  local needed = 0
  if current > 0 then needed = w * (1 - (q - cost) / current) end
  return math.max(1, math.ceil(w + needed - elapsed - EPS))
end

local st = {}
local raw = redis.call('GET', KEYS[1])
if raw then
  local i = 0
  local valid = false
  for token in string.gmatch(raw, '%S+') do
    if i == 0 then
      valid = token == signature
      if not valid then break end
    else
      st[i] = tonumber(token)
    end
    i = i + 1
  end
  if not valid or i ~= slots * count + 1 then st = {} end
end

local nx = {}
local out = {}
local allowed = true
local horizon = 0
for l = 0, count - 1 do
  local q = tonumber(ARGV[7 + 2 * l])
  local w = tonumber(ARGV[8 + 2 * l])
  local at = l * slots + 1
  local ok, retry, retryC, remB, remA, resB, resA, expiry
  if algo == 'g' then
    local interval = w / q
    local stored = st[at]
    local tat = now
    if stored ~= nil and not (stored < now) then tat = stored end
    local newTat = tat + cost * interval
    local ahead = newTat - now
    ok = ahead <= w + EPS
    if ok then retry = 0 else retry = math.ceil(ahead - w - EPS) end
    local aheadC = newTat + cost * interval - now
    if aheadC <= w + EPS then retryC = 0 else retryC = math.ceil(aheadC - w - EPS) end
    remB = math.max(0, math.floor((w - (tat - now)) / interval + EPS))
    remA = math.max(0, math.floor((w - ahead) / interval + EPS))
    resB = math.max(0, math.ceil(tat - now - EPS))
    resA = math.max(0, math.ceil(ahead - EPS))
    nx[at] = newTat
    expiry = ahead
  elseif algo == 'b' then
    local rate = q / w
    local tokens = q
    if st[at] ~= nil then
      local elapsed = math.max(0, now - st[at + 1])
      tokens = math.min(q, st[at] + elapsed * rate)
    end
    local after = tokens - cost
    ok = after >= -EPS
    if ok then retry = 0 else retry = math.ceil(-after / rate - EPS) end
    if after - cost >= -EPS then retryC = 0 else retryC = math.ceil((cost - after) / rate - EPS) end
    remB = math.max(0, math.floor(tokens + EPS))
    remA = math.max(0, math.floor(after + EPS))
    resB = math.max(0, math.ceil((q - tokens) / rate - EPS))
    resA = math.max(0, math.ceil((q - after) / rate - EPS))
    nx[at] = after
    nx[at + 1] = now
    expiry = (q - after) / rate
  elseif algo == 'f' then
    local start = math.floor(now / w) * w
    local c = 0
    if st[at] == start then c = st[at + 1] end
    local after = c + cost
    local untilEnd = math.max(1, math.ceil(start + w - now - EPS))
    ok = after <= q + EPS
    if ok then retry = 0 else retry = untilEnd end
    if after + cost <= q + EPS then retryC = 0 else retryC = untilEnd end
    remB = math.max(0, math.floor(q - c + EPS))
    remA = math.max(0, math.floor(q - after + EPS))
    resB = untilEnd
    resA = untilEnd
    nx[at] = start
    nx[at + 1] = after
    expiry = start + w - now
  else
    local start = math.floor(now / w) * w
    local previous = 0
    local current = 0
    if st[at] == start then
      previous = st[at + 1]
      current = st[at + 2]
    elseif st[at] == start - w then
      previous = st[at + 2]
    end
    local elapsed = now - start
    local weight = (w - elapsed) / w
    local used = previous * weight + current
    local untilEnd = math.max(1, math.ceil(start + w - now - EPS))
    local untilNextEnd = math.ceil(start + 2 * w - now - EPS)
    ok = used + cost <= q + EPS
    if ok then retry = 0 else retry = waitFor(previous, current, used, elapsed, q, w) end
    retryC = waitFor(previous, current + cost, used + cost, elapsed, q, w)
    remB = math.max(0, math.floor(q - used + EPS))
    remA = math.max(0, math.floor(q - used - cost + EPS))
    if current > 0 then resB = untilNextEnd elseif previous > 0 then resB = untilEnd else resB = 0 end
    if current + cost > 0 then resA = untilNextEnd elseif previous > 0 then resA = untilEnd else resA = 0 end
    nx[at] = start
    nx[at + 1] = previous
    nx[at + 2] = current + cost
    expiry = start + 2 * w - now
  end
  if not ok then allowed = false end
  if expiry > horizon then horizon = expiry end
  out[l] = { ok, retry, remB, remA, resB, resA, retryC }
end

local counted = allowed or consume
if counted then
  local parts = { signature }
  for i = 1, slots * count do parts[i + 1] = string.format('%.17g', nx[i]) end
  redis.call('SET', KEYS[1], table.concat(parts, ' '), 'PX', math.ceil(horizon) + margin)
end

local reply = { allowed and 1 or 0 }
for l = 0, count - 1 do
  local o = out[l]
  local remaining
  if not o[1] then remaining = 0 elseif counted then remaining = o[4] else remaining = o[3] end
  local reset
  if counted then reset = o[6] else reset = o[5] end
  reply[2 + 3 * l] = remaining
  reply[3 + 3 * l] = reset
  -- A denial counted (consumeWhenDenied) is waited out from the state that includes it.
  if allowed then reply[4 + 3 * l] = 0 elseif counted then reply[4 + 3 * l] = o[7] else reply[4 + 3 * l] = o[2] end
end
return reply
`;

/**
 * The default case (GCRA, one limit) in as few operations as possible, for one decision or a
 * batch of them: with the limit baked into the script text (one script, and one SHA, per
 * distinct `quota`/`windowMs`/margin/consume), the arguments are just keys and costs. Lua in
 * Redis runs at a few ns per operation, and a command costs far more than that on both sides
 * (parsing, the reply, ioredis's promise and encoding): a tick's decisions for one limiter are
 * therefore decided by one call, one after the other, each exactly as if it had been sent alone
 * (one `TIME` for the call: they all arrived in the same tick). Same arithmetic as
 * `src/algorithms/gcra.ts`.
 *
 * The value is the TAT as an 8-byte little-endian IEEE-754 double (`struct.pack('<d')`): no
 * `%.17g` formatting or parsing, which cost more than the rest of the arithmetic, and exact by
 * construction. A value in the text form of earlier versions (`%.17g`, 13+ characters for an
 * epoch TAT) is read as text and written back packed; earlier versions read a packed value as
 * empty state (`tonumber` answers nil). The limits are hashed into the key, so the general script
 * never meets this value; should it (a hash collision), it and this script each read the other's
 * value as empty state (a general value never has 8 bytes in production, and a garbled or NaN
 * TAT is read as no TAT).
 *
 * The TTL: setting one costs Redis more than the rest of the decision (its expiry entry is
 * deleted and added again), so the key lives until the end of the margin-long slot (`M` ms, on
 * the `now` axis) holding the TAT, plus one margin: `SET … PX` only when the TAT moves to another
 * slot, `SET … KEEPTTL` otherwise (a key hit more than once a slot sets its TTL once a slot).
 * Every packed value was written by this script, so a packed TAT's key lives until at least the
 * end of its slot plus `M`, and a new TAT in the same slot is covered too: the key always
 * outlives its TAT by more than `M` and by at most `2 × M`. A TAT read from text gets a new TTL.
 *
 * KEYS: one key per decision. ARGV: the cost of each, then, in tests only, the `now` of each
 * (Redis TIME when absent). Reply: 4 numbers per decision, as the general script's reply (allowed,
 * remaining, resetMs, retryAfterMs); a decision whose key holds another type gets Redis's error
 * in place of `allowed`, and the others are decided as usual.
 */
export function gcraScript(quota: number, windowMs: number, marginMs: number, consumeWhenDenied: boolean): string {
  return `
local n = #KEYS
local now
if ARGV[n + 1] == nil then
  local t = redis.call('TIME')
  now = t[1] * 1000 + t[2] / 1000
end
local rcall, rpcall, pack, unpack = redis.call, redis.pcall, struct.pack, struct.unpack
local floor, ceil, max = math.floor, math.ceil, math.max
local w = ${windowMs}
local interval = ${windowMs} / ${quota}
local M = ${marginMs}
local EPS = 1e-6
local reply = {}
for i = 1, n do
  if ARGV[n + i] then now = ARGV[n + i] + 0 end
  local key = KEYS[i]
  local raw = rpcall('GET', key)
  local o = 4 * i - 3
  if type(raw) == 'table' then
    reply[o] = raw
    reply[o + 1] = 0
    reply[o + 2] = 0
    reply[o + 3] = 0
  else
    local tat = now
    local stored
    local packed = false
    if raw then
      packed = #raw == 8
      if packed then stored = unpack('<d', raw) else stored = tonumber(raw) end
      if stored ~= nil and stored >= now then tat = stored end
    end
    local cost = ARGV[i] + 0
    local newTat = tat + cost * interval
    local ahead = newTat - now
    local allowed = ahead <= w + EPS
    if ${consumeWhenDenied ? 'true' : 'allowed'} then
      local slot = floor(newTat / M)
      if packed and floor(stored / M) == slot then
        rcall('SET', key, pack('<d', newTat), 'KEEPTTL')
      else
        rcall('SET', key, pack('<d', newTat), 'PX', ceil((slot + 2) * M - now))
      end
    end
    if allowed then
      reply[o] = 1
      reply[o + 1] = max(0, floor((w - ahead) / interval + EPS))
      reply[o + 2] = max(0, ceil(ahead - EPS))
      reply[o + 3] = 0
    else
      reply[o] = 0
      reply[o + 1] = 0
      reply[o + 2] = max(0, ceil(${consumeWhenDenied ? 'ahead' : 'tat - now'} - EPS))
      reply[o + 3] = ceil(${consumeWhenDenied ? 'newTat + cost * interval - now' : 'ahead'} - w - EPS)
    end
  end
end
return reply
`;
}

/** SHA-1 in hex, as `SCRIPT LOAD` answers it: what `EVALSHA` sends. */
export function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** The general script's SHA-1. */
export const DECIDE_SCRIPT_SHA: string = sha1(DECIDE_SCRIPT);
