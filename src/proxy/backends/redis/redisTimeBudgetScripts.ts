// Lua scripts of the Redis time budget. Per student, three keys: a sorted set of the spans
// credited time occupies (member `start:end:eventId`, score `end`), a hash from event id to its
// members (space-separated), and a counter bumped by every reservation that wins.

const idOf = `local function idOf(m) return string.match(m, '^[^:]*:[^:]*:(.*)$') end`
const forget = `local function forget(id)
  local was = redis.call('HGET', KEYS[3], id)
  if was then
    for m in string.gmatch(was, '%S+') do redis.call('ZREM', KEYS[1], m) end
    redis.call('HDEL', KEYS[3], id)
  end
end`

/**
 * KEYS: spans, counter, ids. ARGV: from, to, forget-before. Drops a batch of spans that ended
 * before `forget-before`, then returns the counter and the spans touching `[from, to)`.
 */
export const READ_SPANS = `${idOf}
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[3], 'LIMIT', 0, 100)
for _, m in ipairs(old) do
  redis.call('ZREM', KEYS[1], m)
  redis.call('HDEL', KEYS[3], idOf(m))
end
local to = tonumber(ARGV[2])
local out = { redis.call('GET', KEYS[2]) or '0' }
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf')) do
  if tonumber(string.match(m, '^(%d+):')) < to then out[#out + 1] = m end
end
return out`

/**
 * KEYS: spans, counter, ids. ARGV: counter as read, ttlMs, n, n event ids, then the members to
 * add. If the counter is still as read: bumps it, replaces those events' spans, refreshes the
 * keys' expiry and returns 1; else changes nothing and returns 0.
 */
export const WRITE_SPANS = `${idOf}
${forget}
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[1] then return 0 end
redis.call('INCR', KEYS[2])
local n = tonumber(ARGV[3])
for i = 4, 3 + n do forget(ARGV[i]) end
for i = 4 + n, #ARGV do
  local m = ARGV[i]
  local id = idOf(m)
  redis.call('ZADD', KEYS[1], string.match(m, '^%d+:(%d+):'), m)
  local was = redis.call('HGET', KEYS[3], id)
  redis.call('HSET', KEYS[3], id, was and (was .. ' ' .. m) or m)
end
for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, ARGV[2]) end
return 1`

/**
 * KEYS: spans, counter, ids. ARGV: event ids whose spans go. Bumps the counter (if there is
 * one), so a reservation that read these spans places again, with them free.
 */
export const RELEASE_SPANS = `${forget}
for _, id in ipairs(ARGV) do forget(id) end
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('INCR', KEYS[2]) end
return 1`
