-- Adds a notification to a user's center, once per dedupe key, and keeps the center bounded.
-- KEYS[1] the user's key root (relais:ntf:{n:USER})
-- ARGV[1] dedupe key  ARGV[2] dedupe ttl (s)  ARGV[3] id  ARGV[4] created-at ms  ARGV[5] max kept
-- ARGV[6] oldest kept (ms)  ARGV[7..] field, value pairs of the notification hash
-- Returns {1, unreadCount} when added, {0, unreadCount} when the dedupe key was already used.
local root = KEYS[1]
local list = root .. ':list'
local unread = root .. ':unread'
local prefix = root .. ':n:'
if redis.call('SET', root .. ':seen:' .. ARGV[1], '1', 'NX', 'EX', ARGV[2]) == false then
  return {0, redis.call('SCARD', unread)}
end
local fields = {}
for i = 7, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
redis.call('HSET', prefix .. ARGV[3], unpack(fields))
redis.call('ZADD', list, ARGV[4], ARGV[3])
redis.call('SADD', unread, ARGV[3])
local function drop(ids)
  for _, id in ipairs(ids) do
    redis.call('DEL', prefix .. id)
    redis.call('ZREM', list, id)
    redis.call('SREM', unread, id)
  end
end
drop(redis.call('ZRANGEBYSCORE', list, '-inf', '(' .. ARGV[6]))
local extra = redis.call('ZCARD', list) - tonumber(ARGV[5])
if extra > 0 then
  drop(redis.call('ZRANGE', list, 0, extra - 1))
end
return {1, redis.call('SCARD', unread)}
