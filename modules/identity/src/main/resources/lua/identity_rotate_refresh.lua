-- Rotates a refresh token. A token presented a second time revokes its whole session (family):
-- whoever holds a copy, thief or owner, is logged out. One exception, for two tabs refreshing at the same moment:
-- presented again within the grace period of its first use, while the token that replaced it is still unused, it
-- is only refused ('invalid') and the session stays open.
-- All keys share the {idn} hash tag, so the session keys derived from ARGV, and the successor's key kept in the
-- token's field 'next', stay on this shard.
-- KEYS[1] presented token's hash   KEYS[2] new token's hash
-- ARGV[1] ttl seconds   ARGV[2] session key prefix   ARGV[3] user key prefix   ARGV[4] now (ms)
-- ARGV[5] reuse grace (ms); 0: every reuse revokes
-- @key-root ARGV[2]
-- @key-root ARGV[3]
-- Returns {'ok', userId, sid} | {'reuse', userId, sid} | {'invalid'}
local sid = redis.call('HGET', KEYS[1], 'sid')
if not sid then
  return {'invalid'}
end
local skey = ARGV[2] .. sid
local uid = redis.call('HGET', skey, 'userId')
if not uid then
  return {'invalid'}
end
local now = tonumber(ARGV[4])
if redis.call('HGET', KEYS[1], 'used') ~= '0' then
  local usedAt = tonumber(redis.call('HGET', KEYS[1], 'usedAt') or '0')
  local successor = redis.call('HGET', KEYS[1], 'next')
  if usedAt > 0 and now - usedAt <= tonumber(ARGV[5]) and successor
      and redis.call('HGET', successor, 'used') == '0' then
    return {'invalid'}
  end
  for _, k in ipairs(redis.call('SMEMBERS', skey .. ':tokens')) do
    redis.call('DEL', k)
  end
  redis.call('DEL', skey, skey .. ':tokens')
  redis.call('SREM', ARGV[3] .. uid .. ':sessions', sid)
  return {'reuse', uid, sid}
end
redis.call('HSET', KEYS[1], 'used', '1', 'usedAt', ARGV[4], 'next', KEYS[2])
redis.call('HSET', KEYS[2], 'sid', sid, 'userId', uid, 'used', '0')
redis.call('SADD', skey .. ':tokens', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[1])
redis.call('EXPIRE', skey, ARGV[1])
redis.call('EXPIRE', skey .. ':tokens', ARGV[1])
return {'ok', uid, sid}
