-- Expires the open requests whose deadline has passed: each is taken off the deadline set and moved to expired here,
-- in one step, so that with several sweepers each request expires once.
-- KEYS[1] the deadline set
-- ARGV[1] key prefix  ARGV[2] now (epoch ms)  ARGV[3] now (ISO)  ARGV[4] most requests to expire
-- Returns the ids of the requests this call expired.
local P, now_ms, now = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now_ms, 'LIMIT', 0, tonumber(ARGV[4]))
local expired = {}
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[1], id)
  local rk = req_key(P, id)
  local h = redis.call('HMGET', rk, 'state', 'expiresAtMs')
  if h[1] and is_open(h[1]) and tonumber(h[2]) <= now_ms then
    close_open(P, id, rk)
    if h[1] == 'countered' then
      clear_counter(rk)
    end
    record(rk, 'expired', now, '{"state":"expired","by":null,"at":' .. cjson.encode(now) .. ',"note":null}')
    expired[#expired + 1] = id
  end
end
return expired
