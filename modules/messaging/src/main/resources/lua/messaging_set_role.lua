-- Changes a listed member's role and logs member.updated.
-- KEYS[1] channel hash
-- ARGV[1] channel id  ARGV[2] user id  ARGV[3] new role  ARGV[4] actor id  ARGV[5] log max length
-- Returns {'ok', eventJson or ''} | {'err', code, message}
local ch = KEYS[1]
if redis.call('EXISTS', ch) == 0 then
  return {'err', 'not_found', 'No such channel'}
end
local members = key_of(ch, 'members')
local current = redis.call('HGET', members, ARGV[2])
if not current then
  return {'err', 'not_found', 'Not a member of this channel'}
end
if current == ARGV[3] then
  return {'ok', ''}
end
redis.call('HSET', members, ARGV[2], ARGV[3])
local _, event = log_event(ch, ARGV[1], 'member.updated', '{"userId":' .. cjson.encode(ARGV[2]) .. ',"role":'
  .. cjson.encode(ARGV[3]) .. ',"by":' .. cjson.encode(ARGV[4]) .. '}', ARGV[5])
return {'ok', event}
