-- Claims the opening of an accepted request's spaces for one caller: a lease on the request, so that one caller at a
-- time calls PartnershipSpaces.open; the request stays in the spaces queue, due again when the lease ends, so that a
-- caller that dies is replaced.
-- KEYS[1] the request hash  KEYS[2] the spaces queue
-- ARGV[1] key prefix  ARGV[2] request id  ARGV[3] the caller's token  ARGV[4] lease (ms)  ARGV[5] now (epoch ms)
-- Returns {'claimed', hash, trail, commentCount} | {'opened'} (ids recorded) | {'busy'} (another caller holds the
-- lease) | {'skip'} (not accepted: ended, or missing)
local rk, id = KEYS[1], ARGV[2]
if redis.call('HGET', rk, 'state') ~= 'accepted' then
  redis.call('ZREM', KEYS[2], id)
  return {'skip'}
end
if redis.call('HEXISTS', rk, 'channelId') == 1 then
  redis.call('ZREM', KEYS[2], id)
  return {'opened'}
end
if not redis.call('SET', rk .. ':spaces', ARGV[3], 'NX', 'PX', ARGV[4]) then
  return {'busy'}
end
redis.call('ZADD', KEYS[2], tonumber(ARGV[5]) + tonumber(ARGV[4]), id)
return reply('claimed', rk)
