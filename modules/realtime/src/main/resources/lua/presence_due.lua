-- Claims this sweep round and lists the users whose presence is due for a re-check. One sweeper per round: the
-- round belongs to whoever holds the lock, which expires by itself, so a crashed sweeper never blocks the others.
-- KEYS[1] the users due for a re-check (zset: user id -> epoch ms)   KEYS[2] the sweep lock
-- ARGV[1] this sweeper's token   ARGV[2] lock lifetime ms   ARGV[3] at most this many users
-- Returns the users due now (by Redis's clock), or none when another sweeper holds the round.
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[1] then
  return {}
end
if not holder then
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
