-- Opens a login session (a refresh-token family) with its first refresh token.
-- KEYS[1] session hash   KEYS[2] session's token set   KEYS[3] refresh-token hash   KEYS[4] user's sessions (set)
-- ARGV[1] session id   ARGV[2] user id   ARGV[3] ttl seconds   ARGV[4] created-at (ISO)   ARGV[5] client description
redis.call('HSET', KEYS[1], 'userId', ARGV[2], 'createdAt', ARGV[4], 'client', ARGV[5])
redis.call('HSET', KEYS[3], 'sid', ARGV[1], 'userId', ARGV[2], 'used', '0')
redis.call('SADD', KEYS[2], KEYS[3])
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('EXPIRE', KEYS[3], ARGV[3])
return 1
