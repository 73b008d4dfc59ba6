-- Creates a user if no other user has the email. Atomic: two invitations for one email make one user.
-- KEYS[1] email index (hash email -> user id)   KEYS[2] the user's hash   KEYS[3] all users (set)
-- KEYS[4] the organisation's users (set)        KEYS[5] directory name index (sorted set, lex)
-- ARGV[1] email, lower-cased   ARGV[2] user id   ARGV[3] n, the number of name-index entries
-- ARGV[4 .. 3+n] name-index entries ("token\0userId")   ARGV[4+n ..] field, value pairs of the user's hash
-- Returns {1, id} when created, {0, existingId} when the email is taken.
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then
  return {0, existing}
end
local n = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local fields = {}
for i = 4 + n, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
redis.call('HSET', KEYS[2], unpack(fields))
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[2])
for i = 4, 3 + n do
  redis.call('ZADD', KEYS[5], 0, ARGV[i])
end
return {1, ARGV[2]}
