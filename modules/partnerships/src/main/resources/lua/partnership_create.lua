-- Creates a request, unless one is already open (pending or countered) from the same organisation to the same other.
-- KEYS[1] the request hash
-- ARGV[1] key prefix  ARGV[2] request id  ARGV[3] from org  ARGV[4] to org  ARGV[5] index member (PartnershipKeys.sortKey)
-- ARGV[6] deadline (epoch ms)  ARGV[7] when the expiring notice is due (epoch ms; -1: none)  ARGV[8] first trail entry
-- ARGV[9..] the hash: field, value, field, value …
-- Returns {'ok', hash, trail, commentCount} | {'err', 'conflict', message, id of the open request}
local P, id, from, to = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local pair = pair_key(P, from, to)
local open = redis.call('GET', pair)
if open then
  return {'err', 'conflict', 'There is already an open request from this organisation to that one', open}
end
local fields = {}
for i = 9, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('SET', pair, id)
redis.call('ZADD', P .. 'org:' .. from .. ':out', 0, ARGV[5])
redis.call('ZADD', P .. 'org:' .. to .. ':in', 0, ARGV[5])
redis.call('ZADD', P .. 'deadlines', ARGV[6], id)
if tonumber(ARGV[7]) >= 0 then
  redis.call('ZADD', P .. 'notices', ARGV[7], id)
end
redis.call('RPUSH', KEYS[1] .. ':trail', ARGV[8])
return reply('ok', KEYS[1])
