-- Opens a login session (a refresh-token family) with its first refresh token. On the way, forgets sessions of the
-- user that have ended by themselves (their session hash expired): at most 50 of them are looked at per call, so
-- the set of the user's sessions stays bounded by the sessions still open and the cost stays small.
-- The session keys derived from ARGV[6] share the {idn} hash tag of KEYS, so they stay on this shard.
-- KEYS[1] session hash   KEYS[2] session's token set   KEYS[3] refresh-token hash   KEYS[4] user's sessions (set)
-- ARGV[1] session id   ARGV[2] user id   ARGV[3] ttl seconds   ARGV[4] created-at (ISO)   ARGV[5] client description
-- ARGV[6] session key prefix
-- @key-root ARGV[6]
local scan = redis.call('SSCAN', KEYS[4], '0', 'COUNT', 50)
local checked = 0
for _, sid in ipairs(scan[2]) do
  if checked >= 50 then
    break
  end
  checked = checked + 1
  if redis.call('EXISTS', ARGV[6] .. sid) == 0 then
    redis.call('SREM', KEYS[4], sid)
  end
end
redis.call('HSET', KEYS[1], 'userId', ARGV[2], 'createdAt', ARGV[4], 'client', ARGV[5])
redis.call('HSET', KEYS[3], 'sid', ARGV[1], 'userId', ARGV[2], 'used', '0')
redis.call('SADD', KEYS[2], KEYS[3])
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('EXPIRE', KEYS[3], ARGV[3])
return 1
