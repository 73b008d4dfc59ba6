-- Records the ids of a request's opened spaces (the first ids recorded stay), takes it off the spaces queue, and
-- releases the caller's lease.
-- KEYS[1] the request hash  KEYS[2] the spaces queue
-- ARGV[1] key prefix  ARGV[2] request id  ARGV[3] the caller's token  ARGV[4] channel id  ARGV[5] calendar id
-- Returns {'ok', hash, trail, commentCount} (recorded now) | {'opened', hash, trail, commentCount} (already recorded)
local rk, id = KEYS[1], ARGV[2]
local status = 'opened'
if redis.call('HEXISTS', rk, 'channelId') == 0 then
  redis.call('HSET', rk, 'channelId', ARGV[4], 'calendarId', ARGV[5])
  status = 'ok'
end
redis.call('ZREM', KEYS[2], id)
if redis.call('GET', rk .. ':spaces') == ARGV[3] then
  redis.call('DEL', rk .. ':spaces')
end
return reply(status, rk)
