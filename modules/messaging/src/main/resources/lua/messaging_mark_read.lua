-- Moves a member's read marker forward (never back) to at most the channel's last seq.
-- KEYS[1] channel hash
-- ARGV[1] user id  ARGV[2] seq
-- Returns {marker, channelSeq, mentionCount}
local ch = KEYS[1]
local last = tonumber(redis.call('HGET', ch, 'seq') or '0')
local wanted = math.min(tonumber(ARGV[2]), last)
local read = key_of(ch, 'read')
local marker = tonumber(redis.call('HGET', read, ARGV[1]) or '0')
if wanted > marker then
  marker = wanted
  redis.call('HSET', read, ARGV[1], marker)
end
local mentions = redis.call('ZCOUNT', key_of(ch, 'mentions:' .. ARGV[1]), '(' .. marker, '+inf')
  + redis.call('ZCOUNT', key_of(ch, 'mentions:*'), '(' .. marker, '+inf')
return {marker, last, mentions}
