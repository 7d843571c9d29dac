// Lua scripts of the Redis ledger. Each runs atomically on the server, with the server's clock,
// so instances with skewed clocks agree. A key holds `d` (delivered), `c:<owner>:<until>` (a
// claim) or `q::<until>` (in doubt); claims and doubts live `ttl` past their end, so a resend
// after a lost answer is still known as doubtful.

const clock = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`

/** KEYS: ids. ARGV: owner, leaseMs, ttlMs. Returns per key: delivered | busy | claimed | doubtful. */
export const CLAIM = `${clock}
local owner, lease, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
for i, key in ipairs(KEYS) do
  local v = redis.call('GET', key)
  local state = 'claimed'
  if v == 'd' then
    state = 'delivered'
  elseif v then
    state = tonumber(string.match(v, ':(%d+)$')) > now and 'busy' or 'doubtful'
  end
  if state == 'claimed' or state == 'doubtful' then
    redis.call('SET', key, 'c:' .. owner .. ':' .. (now + lease), 'PX', lease + ttl)
  end
  out[i] = state
end
return out`

/**
 * KEYS: ids. ARGV: owner, action (renew | commit | release | doubt), ms, ttlMs. Acts only on
 * keys this owner claims; returns those keys.
 */
export const TRANSITION = `${clock}
local owner, action, ms, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local prefix = 'c:' .. owner .. ':'
local out = {}
for _, key in ipairs(KEYS) do
  local v = redis.call('GET', key)
  if v and string.sub(v, 1, #prefix) == prefix then
    if action == 'renew' then
      redis.call('SET', key, prefix .. (now + ms), 'PX', ms + ttl)
    elseif action == 'commit' then
      redis.call('SET', key, 'd', 'PX', ttl)
    elseif action == 'release' then
      redis.call('DEL', key)
    else
      redis.call('SET', key, 'q::' .. (now + ms), 'PX', ms + ttl)
    end
    out[#out + 1] = key
  end
end
return out`
