-- Takes the "expiring" notices that are due: each is taken off the notice set here, so that with several sweepers
-- each is sent once (a node that dies right after taking one loses it: at most once).
-- KEYS[1] the notice set
-- ARGV[1] key prefix  ARGV[2] now (epoch ms)  ARGV[3] most notices to take
-- Returns the ids of the open, not yet expired requests whose notice this call took.
local P, now_ms = ARGV[1], tonumber(ARGV[2])
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now_ms, 'LIMIT', 0, tonumber(ARGV[3]))
local taken = {}
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[1], id)
  local h = redis.call('HMGET', req_key(P, id), 'state', 'expiresAtMs')
  if h[1] and is_open(h[1]) and tonumber(h[2]) > now_ms then
    taken[#taken + 1] = id
  end
end
return taken
