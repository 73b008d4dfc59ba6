-- Accepts an invitation: consumes its token and activates the user with their password, only if the token still
-- names the user and the user is still invited. An administrator who disabled the account while the password was
-- being hashed wins: nothing is written.
-- KEYS[1] the invitation token's key   KEYS[2] the user's hash
-- ARGV[1] user id   ARGV[2] password hash (PHC string)   ARGV[3] updated-at (ISO)
-- Returns 1 when activated, 0 when the invitation or the user's status no longer allows it.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
if redis.call('HGET', KEYS[2], 'status') ~= 'invited' then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[2], 'passwordHash', ARGV[2], 'status', 'active', 'updatedAt', ARGV[3])
redis.call('HDEL', KEYS[2], 'inviteKey')
return 1
