-- Adds a comment to a request that is not closed (declined, withdrawn, expired and ended requests are read-only).
-- KEYS[1] the request hash
-- ARGV[1] key prefix  ARGV[2] the comment (JSON)  ARGV[3] most comments a request carries
-- Returns {'ok', hash, trail, commentCount} | {'err', code, message}
local rk = KEYS[1]
local state = redis.call('HGET', rk, 'state')
if not state then
  return {'err', 'not_found', 'No such partnership request'}
end
if state ~= 'pending' and state ~= 'countered' and state ~= 'accepted' then
  return {'err', 'conflict', 'This request is ' .. state .. ': its conversation is closed'}
end
if redis.call('LLEN', rk .. ':comments') >= tonumber(ARGV[3]) then
  return {'err', 'conflict', 'This request has the most comments it can have'}
end
redis.call('RPUSH', rk .. ':comments', ARGV[2])
return reply('ok', rk)
