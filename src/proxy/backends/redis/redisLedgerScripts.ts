// Lua scripts of the Redis ledger. Each runs atomically on the server, with the server's clock
// (so instances with skewed clocks agree) unless the last argument brings one (tests). A key holds
// `d:<until>` (delivered; `d` as written before, its end in its expiry only), `c:<owner>:<until>`
// (a claim) or `q::<until>` (in doubt); claims and doubts are kept `ttl` past their end, so a
// resend after a lost answer is still known as doubtful. Each script reads those ends itself
// rather than trusting the key's expiry alone, so a record is forgotten at the same millisecond
// in Redis as in the claim model (Redis keeps a key through its expiry's millisecond).

const clock = `local now = tonumber(ARGV[#ARGV])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end`

/** KEYS: ids. ARGV: owner, leaseMs, ttlMs, now (or ''). Returns per key: delivered | busy | claimed | doubtful. */
export const CLAIM = `${clock}
local owner, lease, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
for i, key in ipairs(KEYS) do
  local v = redis.call('GET', key)
  local state = 'claimed'
  if v then
    local ends = tonumber(string.match(v, ':(%d+)$'))
    if string.sub(v, 1, 1) == 'd' then
      if not ends or ends > now then state = 'delivered' end
    elseif ends > now then
      state = 'busy'
    elseif ends + ttl > now then
      state = 'doubtful'
    end
  end
  if state == 'claimed' or state == 'doubtful' then
    redis.call('SET', key, 'c:' .. owner .. ':' .. (now + lease), 'PX', lease + ttl)
  end
  out[i] = state
end
return out`

/**
 * KEYS: ids. ARGV: owner, action (renew | commit | release | doubt), ms, ttlMs, now (or ''). Acts
 * only on keys this owner claims and that are still kept; returns those keys.
 */
export const TRANSITION = `${clock}
local owner, action, ms, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local prefix = 'c:' .. owner .. ':'
local out = {}
for _, key in ipairs(KEYS) do
  local v = redis.call('GET', key)
  if v and string.sub(v, 1, #prefix) == prefix and tonumber(string.sub(v, #prefix + 1)) + ttl > now then
    if action == 'renew' then
      redis.call('SET', key, prefix .. (now + ms), 'PX', ms + ttl)
    elseif action == 'commit' then
      redis.call('SET', key, 'd:' .. (now + ttl), 'PX', ttl)
    elseif action == 'release' then
      redis.call('DEL', key)
    else
      redis.call('SET', key, 'q::' .. (now + ms), 'PX', ms + ttl)
    end
    out[#out + 1] = key
  end
end
return out`
