-- Rotates a refresh token. A token presented a second time revokes its whole session (family):
-- whoever holds a copy, thief or owner, is logged out.
-- All keys share the {idn} hash tag, so the session keys derived from ARGV stay on this shard.
-- KEYS[1] presented token's hash   KEYS[2] new token's hash
-- ARGV[1] ttl seconds   ARGV[2] session key prefix   ARGV[3] user key prefix
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
if redis.call('HGET', KEYS[1], 'used') ~= '0' then
  for _, k in ipairs(redis.call('SMEMBERS', skey .. ':tokens')) do
    redis.call('DEL', k)
  end
  redis.call('DEL', skey, skey .. ':tokens')
  redis.call('SREM', ARGV[3] .. uid .. ':sessions', sid)
  return {'reuse', uid, sid}
end
redis.call('HSET', KEYS[1], 'used', '1')
redis.call('HSET', KEYS[2], 'sid', sid, 'userId', uid, 'used', '0')
redis.call('SADD', skey .. ':tokens', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[1])
redis.call('EXPIRE', skey, ARGV[1])
redis.call('EXPIRE', skey .. ':tokens', ARGV[1])
return {'ok', uid, sid}
