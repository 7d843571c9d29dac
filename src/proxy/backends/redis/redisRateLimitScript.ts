// Lua script of the Redis rate limit: `takeAllowance` (store/allowance.ts) on the server, with
// the server's clock, so instances with skewed clocks agree. The key holds the two allowances'
// GCRA times, `<requests> <events>`, and expires when both are full again.

/**
 * KEYS: the student's allowances. ARGV: requests, events (the cost), requests and events per
 * minute. Returns 0 when taken, else the ms to wait (nothing taken).
 */
export const TAKE_ALLOWANCE = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local at = { now, now }
local v = redis.call('GET', KEYS[1])
if v then
  local r, e = string.match(v, '^(%S+) (%S+)$')
  at = { math.max(tonumber(r), now), math.max(tonumber(e), now) }
end
local wait = 0
for i = 1, 2 do
  local cost, per = tonumber(ARGV[i]), tonumber(ARGV[i + 2])
  wait = math.max(wait, at[i] + math.min(cost, per) * 60000 / per - 60000 - now)
end
if wait > 1e-6 then return math.ceil(wait) end
for i = 1, 2 do at[i] = at[i] + tonumber(ARGV[i]) * 60000 / tonumber(ARGV[i + 2]) end
redis.call('SET', KEYS[1], string.format('%.17g %.17g', at[1], at[2]), 'PX', math.ceil(math.max(at[1], at[2]) - now) + 1)
return 0`
